import type { Metadata } from "next";

export const metadata: Metadata = { title: "Notebooks and the Python client" };

const CLIENT = `from continuon_cloud import Client, load_episodes, register_model

client = Client()            # CONTINUON_API_URL, CONTINUON_TRAINING_TOKEN (env or Colab secrets)
run = client.claim(type="seed", worker="colab-ada", lease_s=300)   # JobRun, or None when nothing is queued
episodes = run.load_episodes()                                     # signed downloads, TFRecord or steps.jsonl
with run.keepalive():                                              # heartbeats + metric flushes in the background
    for step in range(1, run.hyperparams["num_steps"] + 1):
        ...
        run.check()                                                # raises JobCancelled / LeaseLost
        run.log_metrics(step, loss=loss, grad_norm=norm, elapsed_s=t)
model_ref = run.upload_dir("out/")                                 # → models/checkpoints/{job_id}/
result = run.complete({"loss": loss}, model_ref=model_ref)         # {job, model}; or register_model(model_ref, job=run)`;

const API = `Client(api_url=None, token=None, timeout=60, retries=4)
  .list_queued_jobs(type=None, robot_model=None)      .get_job(job_id)
  .claim(job_id=None, type=None, robot_model=None, worker=None, lease_s=300) -> JobRun | None
  .create_job(type, episode_ids, config=None, robot_model=None)      # the seed's /api/training/create
  .update_job(job_id, status, **fields)                              # the seed's /api/training/update
  .job_episodes(job_id) / .find_episodes(**filter)   .job_metrics(job_id)
  .list_models(robot_model=None, stage=None)   .get_model(model_id)   .download_model(model_id, dest_dir)
JobRun: .job  .job_id  .lease_id  .hyperparams  .heartbeat(step=None, total_steps=None, message=None)
  .keepalive(interval_s=None)  .check()  .log_metrics(step, **values)  .flush()  .log(message, level="info")
  .episodes()  .load_episodes()  .upload_url(path)  .upload_file(local, path=None)  .upload_dir(local_dir)
  .register_checkpoint(model_ref, metrics)  .complete(metrics, model_ref=None, name=None, version=None)  .fail(error, retry=False)
load_episodes(job_id=None, robot_model=None, min_quality=None, tags=None, limit=None, client=None, bucket=None)
register_model(model_ref, robot_model=None, metrics=None, job=JobRun, complete=True)
claim_job(**claim)   dataset_hash(ids)   errors: ContinuonError(status, code, reason), LeaseLost, JobCancelled`;

const CI = `# what npm test's "notebooks" step does (scripts/test-notebooks.mjs), after npm run build:
node dist/server/index.js                                  # a fresh data folder, port E2E_PORT (3571)
# sign up the admin, create a training token, put episodes in, preview + create a seed job, then
# download the job's notebook exactly as the console's "Download notebook" does and run that file:
curl -b cookies -OJ http://127.0.0.1:3571/api/console/training/jobs/job_…/notebook
CONTINUON_TRAINING_TOKEN=ctt_… PYTHONPATH=$PWD/notebooks \\
  jupyter nbconvert --to notebook --execute 01_seed_model_training-job_….ipynb --output-dir /tmp/…
# check the job, its metric points, the model and its lineage; promote; the slow loop queues a job →
# its downloaded notebook 02 trains it; notebook 04 exports a bundle; a browser checks the loss curve
# and the lineage in the console.`;

export default function NotebookDocs() {
  return (
    <>
      <h1>Notebooks and the Python client</h1>
      <p>
        <code>notebooks/</code> in the repository holds four notebooks and the <code>continuon_cloud</code> client. The
        client uses only Python&apos;s standard library for HTTP (NumPy for arrays): no cloud SDK or bucket credentials,
        because the API hands out signed URLs for every download and upload.
      </p>
      <table>
        <thead>
          <tr>
            <th>Notebook</th>
            <th>Does</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code>01_seed_model_training</code>
            </td>
            <td>
              claims a seed job, trains behaviour cloning (observations → actions), reports metrics, uploads, completes
            </td>
          </tr>
          <tr>
            <td>
              <code>02_slow_loop_training</code>
            </td>
            <td>
              claims a slow-loop/fine-tune job, warm-starts from the base model, trains on the new episodes, completes
            </td>
          </tr>
          <tr>
            <td>
              <code>03_episode_analysis</code>
            </td>
            <td>loads a job&apos;s episodes or a filtered set and summarises them (a read-only token is enough)</td>
          </tr>
          <tr>
            <td>
              <code>04_model_export</code>
            </td>
            <td>downloads a model, shows its lineage, checks it predicts, builds an OTA bundle in the robot layout</td>
          </tr>
        </tbody>
      </table>
      <h2 id="colab">In Colab</h2>
      <ol>
        <li>
          An admin creates a training token (<em>Admin → Training tokens</em>).
        </li>
        <li>
          In Colab, add it as a secret named <code>CONTINUON_TRAINING_TOKEN</code> and grant the notebook access. Never
          paste it into a cell.
        </li>
        <li>
          Open the job page&apos;s <em>Open in Colab</em> link (the job id is in the link; paste it into the{" "}
          <code>JOB_ID</code> field) or <em>Download notebook</em> (the id and API URL are filled in, in the same{" "}
          <code>JOB_ID = &quot;…&quot; # @param</code> lines, so Colab still shows them as form fields), then run all.
          The setup cell finds the client on the import path (<code>PYTHONPATH=&lt;checkout&gt;/notebooks</code> runs a
          downloaded notebook anywhere on a laptop), next to the notebook, or clones it when it is in neither place.
        </li>
      </ol>
      <p>
        Training uses JAX when it can be imported and a NumPy implementation of the same network otherwise; both save{" "}
        <code>seed_model.npz</code>, <code>config/model_config.json</code> and <code>model_manifest.json</code>.
      </p>
      <h2 id="client">The client</h2>
      <pre>
        <code>{CLIENT}</code>
      </pre>
      <pre>
        <code>{API}</code>
      </pre>
      <h2 id="ci">On a laptop and in CI</h2>
      <p>
        The same notebooks run against the embedded default. Debian&apos;s <code>python3-numpy</code>,{" "}
        <code>python3-nbconvert</code>, <code>python3-ipykernel</code> and <code>jupyter-nbconvert</code> are all they
        need. The client&apos;s and utilities&apos; unit tests run with{" "}
        <code>/usr/bin/python3 -m pytest notebooks/tests</code>.
      </p>
      <pre>
        <code>{CI}</code>
      </pre>
    </>
  );
}
