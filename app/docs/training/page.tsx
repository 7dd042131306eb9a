import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Training and models" };

export default function TrainingDocs() {
  return (
    <>
      <h1>Training and models</h1>
      <p>
        Robots upload episodes; operators turn sets of validated episodes into <strong>training jobs</strong>; notebooks
        (in Colab, or on any machine) claim the jobs with a <strong>training token</strong>, train, report metrics and
        upload the model; the platform registers each model with its <strong>lineage</strong>, operators promote one
        model per robot model to <strong>production</strong>, and OTA bundles are built from it. The{" "}
        <strong>slow loop</strong> keeps queuing jobs as new episodes arrive.
      </p>

      <h2 id="jobs">Jobs</h2>
      <p>
        In the console (<em>Training → New job</em>) an operator picks episodes with a filter — robot model, tags (all
        must be present), upload dates, minimum quality score, training-eligible only, at most the newest N — and counts
        them first. Only validated episodes qualify (including ones already used by other jobs). The job then snapshots:
      </p>
      <ul>
        <li>
          <code>config.episode_ids</code>: the ids (at most 10 000 per job), and
        </li>
        <li>
          <code>dataset.episode_set_sha256</code>: SHA-256 (hex) of the ids sorted by code point and joined with{" "}
          <code>\n</code> (no trailing newline).
        </li>
      </ul>
      <p id="preview">
        Counting pins the set: <code>POST /api/console/training/preview</code> with the filter answers the count, robot
        models, hash, a <code>preview_id</code> and its <code>expires_at</code> (24 hours), and keeps the ids it
        counted. <code>POST /api/console/training/jobs</code> with{" "}
        <code>{"{type, preview_id, expected_sha256?, hyperparams?, model_base?}"}</code> creates the job with exactly
        those episodes — episodes robots upload after the count are not added, so a live fleet never makes the create
        fail. The job records the preview&apos;s filter. Refusals, each creating nothing:{" "}
        <code>404 preview_not_found</code>, <code>409 preview_expired</code> (count again),{" "}
        <code>409 dataset_changed</code> when an episode of the preview was deleted or rejected since (its id in{" "}
        <code>details.episode_id</code>), and <code>400 invalid_input</code> when <code>preview_id</code> comes with a{" "}
        <code>filter</code> or <code>episode_ids</code>. Creating from a <code>filter</code> instead runs it again at
        that moment; with <code>expected_sha256</code> a different set is <code>409 dataset_changed</code>. The
        console&apos;s <em>Count episodes</em> / <em>Create job</em> use the preview.
      </p>
      <p>
        Types: <code>seed</code> (from scratch), <code>slow_loop</code> (from the robot model&apos;s production model,
        set automatically), <code>finetune</code> (from a chosen <code>model_base</code>). Hyper-parameters default to
        the field trainer&apos;s: <code>batch_size 256</code>, <code>learning_rate 1e-4</code>,{" "}
        <code>num_steps 10000</code>; any extra key (e.g. <code>obs_dim</code>, <code>hidden</code>) is passed to the
        notebook. A job&apos;s episodes move to <code>training</code>; when it completes they become{" "}
        <code>trained</code> and list the model in <code>contributed_to_models</code>; when it fails or is cancelled
        they go back to <code>validated</code> (or <code>trained</code> if an earlier model used them). An episode in
        several active jobs shows the newest. Cancelling is audited; the worker learns at its next call.
      </p>
      <p>
        <code>colab_notebook_url</code> is <code>{"{TRAINING_NOTEBOOK_BASE_URL}/{notebook}#job_id={job_id}"}</code>: the
        notebook for the type (<code>01_seed_model_training.ipynb</code> for seed,{" "}
        <code>02_slow_loop_training.ipynb</code> for slow loop and fine-tune). The base defaults to{" "}
        <code>https://colab.research.google.com/github/continuonai/continuon-cloud/blob/main/notebooks</code> and is set
        with the <code>TRAINING_NOTEBOOK_BASE_URL</code> environment variable (point it at your fork). Colab cannot hand
        a URL parameter to the kernel, so the id in the fragment is for the person; the job page also offers{" "}
        <em>Download notebook</em>, the same notebook with the job id and this deployment&apos;s URL written into its
        parameters cell.
      </p>

      <h2 id="leases">Leases, attempts and the lifecycle</h2>
      <p>
        <code>queued → running → completed | failed</code>, and <code>cancelled</code> from either of the first two. A
        worker claims a job atomically (the read and write are one transaction: two workers never hold the same job) and
        gets a lease (default 300 s, 1–3600) and a secret <code>lease_id</code> to send with every call; heartbeats
        renew it. If the lease lapses (the notebook died), the job returns to <code>queued</code> within 15 s; each
        claim counts an attempt and after <code>max_attempts</code> (default 3) a lapse fails the job (
        <code>attempts_exhausted</code>
        ). A worker whose lease lapsed is told so (<code>409 lease_expired</code>) rather than silently overwriting
        someone else&apos;s run.
      </p>

      <h2 id="metrics">Metrics and logs</h2>
      <p>
        Metric points (<code>step</code> plus <code>loss</code>, <code>grad_norm</code>, <code>elapsed_s</code> and any
        other finite number) are each their own document (<code>training_metrics/{"{job_id}_{step}"}</code>), so a
        retried report overwrites instead of duplicating and no document grows with the run (Firestore caps documents at
        1 MiB and one document written many times a second contends). The job keeps only the latest values and the
        progress. Log lines live in <code>training_logs</code>. The job page polls both every 3 s while the job runs and
        draws the curves.
      </p>

      <h2 id="models">Models, promotion and lineage</h2>
      <p>
        Completing a job registers a <code>models</code> entry: <code>stage</code> <code>seed</code> (seed jobs) or{" "}
        <code>checkpoint</code>, the next version of the robot model&apos;s line (a seed job bumps MINOR, slow loop and
        fine-tune bump PATCH; the first is <code>1.0.0</code>), <code>storage_ref</code> (the folder under{" "}
        <code>models/checkpoints/{"{job_id}"}/</code>), the files, final metrics, the job, the dataset hash and the base
        model as <code>parent_model_id</code>. Promoting copies the files to{" "}
        <code>
          models/production/{"{robot_model}"}/v{"{version}"}/
        </code>{" "}
        and makes it the robot model&apos;s one production model; the previous one returns to its original stage
        (recorded as <code>retired_at</code>). Promotions are serialized per robot model, so two at once still leave one
        production model.
      </p>
      <p>
        Lineage runs both ways: a model page shows its job, dataset, the episodes (paged), the model it was trained from
        and the models trained from it; an episode lists the models it fed (<code>contributed_to_models</code>, also at{" "}
        <code>GET /api/console/models/by-episode/{"{episode_id}"}</code>).
      </p>

      <h2 id="slow-loop">The slow loop</h2>
      <p>
        A policy per robot model (<em>Training → Slow loop</em>): enabled, new episodes needed (default 50), hours
        between jobs (default 6), episodes per job (default 2000). A background evaluator (every minute, and on demand
        with <em>Evaluate now</em>) queues a <code>slow_loop</code> job when all hold: the policy is enabled, the robot
        model has a production model, no slow-loop job of that robot model is still queued, the interval since the last
        one passed, and enough <em>new</em> episodes exist — validated, training-eligible episodes of that robot model
        no model has been trained on yet. The job takes the oldest of them and starts from the production model. The
        decision and its reason are shown on the page.
      </p>

      <h2 id="tokens">Training tokens</h2>
      <p>
        Admins create them under <em>Admin → Training tokens</em>; the secret (<code>ctt_…</code>) is shown once and
        only its SHA-256 is stored. Scope <code>training</code> runs the worker protocol; <code>training:read</code>{" "}
        only reads jobs, episodes and models (analysis notebooks). Tokens can expire and be revoked; the list shows when
        and from where each was last used (recorded at most once a minute). See{" "}
        <Link href="/docs/training/worker-api">the API</Link> and{" "}
        <Link href="/docs/training/notebooks">the notebooks</Link>.
      </p>
    </>
  );
}
