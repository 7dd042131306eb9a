import type { Metadata } from "next";

export const metadata: Metadata = { title: "Training API for notebooks" };

const ROUTES: Array<[string, string, string]> = [
  [
    "GET /api/training/jobs",
    "token (training:read) or operator",
    "200 {jobs} queued, oldest first; ?status= lists others",
  ],
  [
    "POST /api/training/claim",
    "token (training)",
    "200 {job, lease} or {job: null}; 404 job_not_found; 409 job_already_claimed, job_not_queued",
  ],
  ["GET /api/training/jobs/{id}", "token (training:read) or operator", "200 job; 404 job_not_found"],
  [
    "POST /api/training/jobs/{id}/heartbeat",
    "token (training), lease holder",
    "200 {lease_expires_at, progress}; 409 lease_expired, job_cancelled, job_not_running; 403 not_lease_holder",
  ],
  [
    "POST /api/training/jobs/{id}/metrics",
    "token (training), lease holder",
    "200 {accepted}; 400 invalid_input (≤ 500 points, finite numbers); 409/403 as heartbeat",
  ],
  [
    "GET /api/training/jobs/{id}/metrics",
    "token (training:read) or operator",
    "200 {points, next_after_step}; ?after_step=",
  ],
  [
    "POST /api/training/jobs/{id}/logs",
    "token (training), lease holder",
    "200 {accepted}; 400 invalid_input (≤ 200 lines); 409/403 as heartbeat",
  ],
  [
    "GET /api/training/jobs/{id}/episodes",
    "token (training:read) or operator",
    "200 {episodes (signed TFRecord and canonical URLs), next_cursor, total}",
  ],
  [
    "GET /api/training/episodes",
    "token (training:read) or operator",
    "200 {episodes, matched, next_cursor}: a filter as query parameters",
  ],
  [
    "POST /api/training/jobs/{id}/checkpoint-url",
    "token (training), lease holder",
    "200 {upload_url, headers, key, model_ref}; 403 outside_job_prefix; 400 invalid_blob_key",
  ],
  [
    "POST /api/training/jobs/{id}/complete",
    "token (training), lease holder",
    "200 {job, model}; 403 outside_job_prefix, not_lease_holder; 409 checkpoint_missing, lease_expired, job_cancelled, version_not_newer",
  ],
  ["POST /api/training/jobs/{id}/fail", "token (training), lease holder", "200 job (failed, or queued with retry)"],
  [
    "POST /api/training/models",
    "token (training), lease holder",
    "201 model (an intermediate checkpoint of the held job); 400 job_required",
  ],
  [
    "GET /api/training/models, /models/{id}, /models/{id}/files",
    "token (training:read) or operator",
    "200 models; a model with lineage; signed download URLs",
  ],
  [
    "POST /api/training/create (seed)",
    "token (training) or operator",
    "201 job; 400 empty_dataset, unknown_episode, episode_not_trainable, robot_model_required; 409 slow_loop_already_queued, no_production_model",
  ],
  [
    "POST /api/training/update (seed)",
    "token (training) or operator",
    "200 {job_id, status, lease_id?, model_id?}; 400 model_ref_required, status_not_allowed; otherwise as claim/heartbeat/complete/fail",
  ],
];

const AUTH_ERRORS = `401 training_token_required   no Authorization: Bearer header
401 unknown_token             not a training token, or not one this deployment issued
401 token_revoked             an admin revoked it
401 token_expired             past its expiry
403 insufficient_scope        a training:read token on a worker call`;

const CLAIM = `POST /api/training/claim
Authorization: Bearer ctt_…
{"type": "seed", "worker": "colab-ada", "lease_s": 300}

200 {"job": {"job_id": "job_01…", "type": "seed", "status": "running", "robot_model": "companion-v1",
             "config": {"episode_ids": ["ep_…"], "model_base": null,
                        "hyperparams": {"batch_size": 256, "learning_rate": 0.0001, "num_steps": 10000}},
             "dataset": {"episode_count": 120, "episode_set_sha256": "9f2c…"}, "attempts": 1, …},
     "lease": {"lease_id": "lse_…", "expires_at": "2026-06-01T12:05:00.000Z", "lease_s": 300}}`;

const FLOW = `POST /api/training/jobs/job_01…/heartbeat    {"lease_id": "lse_…", "progress": {"step": 2500}}
POST /api/training/jobs/job_01…/metrics      {"lease_id": "lse_…", "points": [{"step": 2500, "loss": 0.012, "grad_norm": 0.4, "elapsed_s": 61.2}]}
GET  /api/training/jobs/job_01…/episodes?limit=50&format=both
     → {"episodes": [{"episode_id": "ep_…", "tfrecord": {"url": "…", "size_bytes": 48213, …},
                      "canonical": {"prefix": "episodes/validated/14d4b680/ep_…/", "files": [{"path": "steps.jsonl", "url": "…"}, …]}}],
        "next_cursor": "50", "total": 120}
POST /api/training/jobs/job_01…/checkpoint-url {"lease_id": "lse_…", "path": "seed_model.npz", "size_bytes": 81234}
     → {"upload_url": "…", "headers": {"content-type": "application/octet-stream"}, "key": "models/checkpoints/job_01…/seed_model.npz",
        "model_ref": "models/checkpoints/job_01…/"}
PUT  {upload_url}   (the file, with the headers above)
POST /api/training/jobs/job_01…/complete     {"lease_id": "lse_…", "model_ref": "models/checkpoints/job_01…/", "metrics": {"loss": 0.004}}
     → {"job": {"status": "completed", "output": {"model_ref": "…", "metrics": {…}, "model_id": "mdl_…"}, …},
        "model": {"model_id": "mdl_…", "version": "1.0.0", "stage": "seed", …}}`;

const SEED = `POST /api/training/create   {"type": "seed", "episode_ids": ["ep_1", "ep_2"], "config": {"batch_size": 256}, "robot_model": "companion-v1"}
POST /api/training/update   {"job_id": "job_…", "status": "running"}                   → claims it; the answer has lease_id
POST /api/training/update   {"job_id": "job_…", "status": "completed",
                             "output": {"model_ref": "gs://continuon-rlds/models/checkpoints/job_…/", "metrics": {"loss": 0.01, "accuracy": 0.95}}}`;

export default function WorkerApiDocs() {
  return (
    <>
      <h1>Training API for notebooks</h1>
      <p>
        Every call carries <code>Authorization: Bearer ctt_…</code> (a training token). Worker calls also carry the{" "}
        <code>lease_id</code> the claim returned (the seed-style <code>/update</code> finds the lease from the token).
        Errors are <code>{`{"error": {"code", "message", "reason"}}`}</code>; a refused call changes nothing.
      </p>
      <h2 id="auth">Token errors (every route)</h2>
      <pre>
        <code>{AUTH_ERRORS}</code>
      </pre>
      <h2 id="routes">Routes</h2>
      <table>
        <thead>
          <tr>
            <th>Route</th>
            <th>Who</th>
            <th>Answers</th>
          </tr>
        </thead>
        <tbody>
          {ROUTES.map(([route, who, answers]) => (
            <tr key={route}>
              <td>
                <code>{route}</code>
              </td>
              <td>{who}</td>
              <td>{answers}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Lease answers, in order: a cancelled job is <code>409 job_cancelled</code> (stop); a finished one{" "}
        <code>409 job_not_running</code>; a lease that lapsed (whether or not the job was requeued or re-claimed since)
        is <code>409 lease_expired</code> (claim again); any other lease id or token is{" "}
        <code>403 not_lease_holder</code>. Upload URLs are issued only for keys under{" "}
        <code>models/checkpoints/{"{job_id}"}/</code>: a <code>path</code> with <code>..</code>, an absolute path, or a{" "}
        <code>key</code> elsewhere is <code>403 outside_job_prefix</code>; the URL binds the content type and a maximum
        size and expires within the hour. <code>model_ref</code> may be the folder, a folder or file under it, or its{" "}
        <code>gs://&lt;bucket&gt;/…</code> form.
      </p>
      <h2 id="claim">Claim</h2>
      <pre>
        <code>{CLAIM}</code>
      </pre>
      <h2 id="flow">Train, report, upload, complete</h2>
      <pre>
        <code>{FLOW}</code>
      </pre>
      <h2 id="seed">The seed&apos;s calls</h2>
      <p>
        <code>POST /api/training/create</code> and <code>POST /api/training/update</code> keep the field&apos;s shapes.
        Both take a training token (scope <code>training</code>) or an operator&apos;s session. With a token,{" "}
        <code>update</code> <code>running</code> claims a queued job or renews the token&apos;s lease,{" "}
        <code>completed</code> completes it (<code>model_ref</code> required, under the job&apos;s checkpoint folder),{" "}
        <code>failed</code> fails it. An operator may record <code>completed</code> (a run done by hand, with its files
        already uploaded under the job&apos;s folder) or <code>failed</code>, never <code>running</code>.
      </p>
      <pre>
        <code>{SEED}</code>
      </pre>
      <h2 id="console">Console routes</h2>
      <p>
        For operators&apos; sessions under <code>/api/console/training/…</code> (jobs, preview, cancel, metrics, logs,
        episodes, notebook download, slow-loop policies), <code>/api/console/models/…</code> (list, lineage, promote,
        register, by-episode) and, for admins, <code>/api/console/training-tokens</code>.
      </p>
    </>
  );
}
