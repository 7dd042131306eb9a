import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Deploy to Google Cloud" };

function Code({ children }: { children: string }) {
  return (
    <pre>
      <code>{children.trim()}</code>
    </pre>
  );
}

export default function Deploy() {
  return (
    <>
      <h1>Deploy to Google Cloud</h1>
      <p>
        From an empty Google Cloud project to <code>https://continuon.cloud</code>: Firestore for documents, the{" "}
        <code>continuon-rlds</code> bucket for episodes, models and bundles, Firebase Auth for sign-in, one Cloud Run
        service running the app, the robot API and the signaling relay, and Firebase Hosting in front serving the static
        files. Every command below is meant to be run as written after setting the variables of step 1.
      </p>

      <h2 id="variables">1. Project and variables</h2>
      <Code>{`
export PROJECT=continuon-prod          # globally unique
export REGION=us-central1
export BUCKET=continuon-rlds
export SA=continuon-run@$PROJECT.iam.gserviceaccount.com

gcloud projects create $PROJECT
gcloud billing projects link $PROJECT --billing-account=XXXXXX-XXXXXX-XXXXXX
gcloud config set project $PROJECT
firebase projects:addfirebase $PROJECT
`}</Code>

      <h2 id="apis">2. APIs</h2>
      <Code>{`
gcloud services enable run.googleapis.com firestore.googleapis.com storage.googleapis.com \\
  secretmanager.googleapis.com iamcredentials.googleapis.com artifactregistry.googleapis.com \\
  cloudbuild.googleapis.com identitytoolkit.googleapis.com firebasehosting.googleapis.com
`}</Code>
      <p>
        <code>iamcredentials</code> is what lets the service sign V4 URLs without a key file (see step 5).
      </p>

      <h2 id="firestore">3. Firestore</h2>
      <Code>{`
gcloud firestore databases create --location=$REGION --type=firestore-native
firebase deploy --only firestore:rules,firestore:indexes --project $PROJECT
`}</Code>
      <p>
        <code>firestore.indexes.json</code> is generated from the index declarations in the code (
        <code>npm run indexes</code>; a test fails when they disagree). <code>firestore.rules</code> denies every
        client: all access goes through the server&apos;s service account.
      </p>

      <h2 id="bucket">4. The bucket</h2>
      <Code>{`
gcloud storage buckets create gs://$BUCKET --location=$REGION \\
  --uniform-bucket-level-access --public-access-prevention --soft-delete-duration=7d
gcloud storage buckets update gs://$BUCKET --lifecycle-file=lifecycle.json
gcloud storage buckets update gs://$BUCKET --cors-file=cors.json
`}</Code>
      <p>Layout (the same keys as the embedded default&apos;s folder):</p>
      <Code>{`
episodes/raw/{robot_id}/{episode_id}/…          as uploaded (quarantined ones stay here)
episodes/validated/{robot_id}/{episode_id}/…    canonical: metadata.json, steps.jsonl, blobs/, replay index
episodes/tfrecord/{robot_id}/{episode_id}.tfrecord
models/seed/v{version}/   models/checkpoints/{job_id}/…   models/production/{robot_model}/v{version}/
bundles/ota/{robot_model}/{version}.bundle
`}</Code>
      <p>
        <code>lifecycle.json</code> — raw uploads are copied to <code>validated/</code> at ingest, so after 30 days only
        quarantined or abandoned uploads remain there; old checkpoints move to colder storage; unfinished multipart
        uploads are cleaned up. Bundles and validated episodes are kept (lineage points at them).
      </p>
      <Code>{`
{
  "rule": [
    { "action": { "type": "Delete" }, "condition": { "age": 30, "matchesPrefix": ["episodes/raw/"] } },
    { "action": { "type": "SetStorageClass", "storageClass": "NEARLINE" },
      "condition": { "age": 60, "matchesPrefix": ["models/checkpoints/", "episodes/tfrecord/"] } },
    { "action": { "type": "AbortIncompleteMultipartUpload" }, "condition": { "age": 2 } }
  ]
}
`}</Code>
      <p>
        <code>cors.json</code> — the console&apos;s replay page loads camera frames through signed GET URLs from the
        browser:
      </p>
      <Code>{`
[{ "origin": ["https://continuon.cloud"], "method": ["GET", "HEAD"],
   "responseHeader": ["Content-Type", "Content-Range", "ETag"], "maxAgeSeconds": 3600 }]
`}</Code>

      <h2 id="service-account">5. Service account, least privilege</h2>
      <Code>{`
gcloud iam service-accounts create continuon-run --display-name="continuon.cloud on Cloud Run"
gcloud projects add-iam-policy-binding $PROJECT --member=serviceAccount:$SA --role=roles/datastore.user
gcloud projects add-iam-policy-binding $PROJECT --member=serviceAccount:$SA --role=roles/firebaseauth.viewer
gcloud storage buckets add-iam-policy-binding gs://$BUCKET --member=serviceAccount:$SA --role=roles/storage.objectAdmin
# V4 signed URLs without a key file: the service signs as itself through IAM signBlob
# (iam.serviceAccounts.signBlob), granted on its own account only.
gcloud iam service-accounts add-iam-policy-binding $SA --member=serviceAccount:$SA \\
  --role=roles/iam.serviceAccountTokenCreator
`}</Code>
      <table>
        <thead>
          <tr>
            <th>Role</th>
            <th>Scope</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code>roles/datastore.user</code>
            </td>
            <td>project</td>
            <td>Read and write documents (no index or database administration).</td>
          </tr>
          <tr>
            <td>
              <code>roles/storage.objectAdmin</code>
            </td>
            <td>the bucket only</td>
            <td>Stream uploads and downloads, copy at ingest, list and delete.</td>
          </tr>
          <tr>
            <td>
              <code>roles/iam.serviceAccountTokenCreator</code>
            </td>
            <td>its own account only</td>
            <td>
              <code>iam.serviceAccounts.signBlob</code> for V4 signed URLs.
            </td>
          </tr>
          <tr>
            <td>
              <code>roles/firebaseauth.viewer</code>
            </td>
            <td>project</td>
            <td>Check that a Firebase user&apos;s tokens were not revoked at sign-in.</td>
          </tr>
          <tr>
            <td>
              <code>roles/secretmanager.secretAccessor</code>
            </td>
            <td>each secret (step 6)</td>
            <td>Read the session secret and the OTA signing key at start-up.</td>
          </tr>
        </tbody>
      </table>

      <h2 id="secrets">6. Secrets</h2>
      <Code>{`
openssl rand -base64 32 | gcloud secrets create nextauth-secret --data-file=-
openssl genpkey -algorithm ed25519 | gcloud secrets create ota-signing-key --data-file=-
for s in nextauth-secret ota-signing-key; do
  gcloud secrets add-iam-policy-binding $s --member=serviceAccount:$SA --role=roles/secretmanager.secretAccessor
done
`}</Code>
      <p>
        Key rotation: create a new version of <code>ota-signing-key</code>, and put the old public key (32 raw bytes,
        base64) in <code>OTA_PREVIOUS_PUBLIC_KEYS</code> as <code>{`{"<old key id>": "<base64>"}`}</code>, so bundles
        signed before stay verifiable. Robots find every current and previous key at{" "}
        <code>/.well-known/ota-keys.json</code> (JWK Set) and <code>/api/ota/public-key</code> (raw).
      </p>

      <h2 id="build">7. Build the image</h2>
      <Code>{`
gcloud artifacts repositories create continuon --repository-format=docker --location=$REGION
gcloud builds submit --tag $REGION-docker.pkg.dev/$PROJECT/continuon/app:$(git rev-parse --short HEAD)
`}</Code>
      <p>
        The <code>Dockerfile</code> builds in three stages (build, production dependencies, run) and runs the compiled
        custom server as a non-root user; it honours <code>PORT</code>.
      </p>

      <h2 id="run">8. Deploy to Cloud Run</h2>
      <Code>{`
gcloud run deploy continuon-cloud --region=$REGION \\
  --image=$REGION-docker.pkg.dev/$PROJECT/continuon/app:$(git rev-parse --short HEAD) \\
  --service-account=$SA --allow-unauthenticated \\
  --session-affinity --timeout=3600 --concurrency=250 --min-instances=1 --cpu-boost \\
  --set-env-vars=STORAGE_DRIVER=firestore,BLOB_DRIVER=gcs,AUTH_DRIVER=firebase,GOOGLE_CLOUD_PROJECT=$PROJECT,\\
GCS_BUCKET=$BUCKET,PUBLIC_URL=https://continuon.cloud,RELAY_PUBLIC_URL=https://api.continuon.cloud,TRUST_PROXY=1,FIREBASE_API_KEY=<web api key>,\\
FIREBASE_AUTH_DOMAIN=$PROJECT.firebaseapp.com \\
  --set-secrets=NEXTAUTH_SECRET=nextauth-secret:latest,OTA_SIGNING_KEY=ota-signing-key:latest
`}</Code>
      <ul>
        <li>
          <code>--allow-unauthenticated</code>: the service authenticates every request itself (robot signatures,
          sessions, training tokens).
        </li>
        <li>
          <code>--timeout=3600</code> and <code>--session-affinity</code>: relay WebSockets live up to an hour (a remote
          session token&apos;s life) and a robot&apos;s clients should reach the same instance. See the remote docs for
          how instances route a robot&apos;s sessions.
        </li>
        <li>
          <code>--min-instances=1</code> keeps the relay and background workers (TFRecord conversion, slow loop, sweeps)
          running; workers take work with leases, so several instances share it safely.
        </li>
        <li>
          Probes: startup <code>/api/ready</code>, liveness <code>/api/health</code>. On SIGTERM the server drains
          in-flight requests for up to 25 s.
        </li>
      </ul>

      <h2 id="hosting">9. Firebase Hosting and DNS</h2>
      <Code>{`
npm ci && npm run build && node scripts/prepare-hosting.mjs
firebase deploy --only hosting --project $PROJECT
`}</Code>
      <p>
        Hosting serves <code>public/</code> and Next&apos;s hashed assets (<code>/_next/static</code>, cached for a
        year) from the edge and rewrites every other path to the Cloud Run service. Connect the domain in the Firebase
        console (Hosting → Add custom domain), then create the records of the seed:
      </p>
      <Code>{`
continuon.cloud        A      (the Firebase Hosting addresses the console shows)
www.continuon.cloud    CNAME  continuon.cloud
api.continuon.cloud    CNAME  ghs.googlehosted.com.   (Cloud Run domain mapping of continuon-cloud)
`}</Code>
      <p>
        <code>api.continuon.cloud</code> reaches Cloud Run directly: Firebase Hosting does not carry WebSockets, so
        robots keep their relay connection to <code>wss://api.continuon.cloud/api/remote/signal</code>, and large
        uploads skip the Hosting hop (they go straight to signed bucket URLs anyway).
      </p>
      <Code>{`
gcloud beta run domain-mappings create --service=continuon-cloud --domain=api.continuon.cloud --region=$REGION
`}</Code>

      <h2 id="costs">10. Costs</h2>
      <p>
        The original estimate was $7–18 a month. Checked against what the product actually does per robot — a heartbeat
        every 60 s is one signed request that writes the robot&apos;s document, a bounded heartbeat-history entry and a
        nonce record (about 3 document writes), and each episode upload writes a handful of documents plus its blobs —
        the estimate holds for a small fleet and grows with heartbeats:
      </p>
      <table>
        <thead>
          <tr>
            <th>Service</th>
            <th>Usage (10 robots, 30 episodes/day of 50 MB)</th>
            <th>Monthly</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>Firebase Hosting</td>
            <td>static assets, &lt; 10 GB transfer</td>
            <td>$0 (free tier)</td>
          </tr>
          <tr>
            <td>Firestore</td>
            <td>~1.3 M writes (heartbeats ≈ 10 × 43 200 × 3), ~0.5 M reads</td>
            <td>≈ $2.5</td>
          </tr>
          <tr>
            <td>Cloud Storage</td>
            <td>~45 GB/month of episodes (+ TFRecords), standard class</td>
            <td>≈ $2 growing ~$1/month</td>
          </tr>
          <tr>
            <td>Cloud Run</td>
            <td>1 minimum instance (1 vCPU, 512 MiB) for the relay and workers</td>
            <td>≈ $10–15</td>
          </tr>
          <tr>
            <td>
              <strong>Total</strong>
            </td>
            <td></td>
            <td>
              <strong>≈ $15–20</strong>
            </td>
          </tr>
        </tbody>
      </table>
      <p>
        At 100 robots Firestore writes dominate (≈ 13 M writes, ≈ $23/month): raise <code>HEARTBEAT_INTERVAL_S</code>{" "}
        (robots read the interval from each heartbeat&apos;s answer) before adding anything else. TPU training is billed
        separately (about $2–4 an hour for a v5e-1).
      </p>

      <h2 id="backups">11. Backups</h2>
      <Code>{`
gcloud firestore backups schedules create --database='(default)' --recurrence=daily --retention=14d
gcloud firestore backups schedules create --database='(default)' --recurrence=weekly --day-of-week=SUN --retention=12w
`}</Code>
      <p>
        The bucket&apos;s soft delete (7 days, step 4) covers deleted or overwritten objects. Restore a backup into a
        new database with <code>gcloud firestore databases restore</code>, then point <code>FIRESTORE_DATABASE_ID</code>{" "}
        at it.
      </p>

      <h2 id="rollback">12. Rolling back a bad deploy</h2>
      <Code>{`
gcloud run revisions list --service=continuon-cloud --region=$REGION
gcloud run services update-traffic continuon-cloud --region=$REGION --to-revisions=<previous revision>=100
firebase hosting:clone $PROJECT:live $PROJECT:live --version=<previous version id>   # only if static assets changed
`}</Code>
      <p>
        Documents are forward compatible by design (new fields have defaults; robot-facing fields are never repurposed),
        so the previous revision reads what the new one wrote. Index additions are harmless to older revisions.
      </p>

      <h2 id="check">13. Check</h2>
      <Code>{`
curl -s https://continuon.cloud/api/ready       # {"status":"ready", … "store":{"driver":"firestore"…}, "blobs":{"driver":"gcs"…}}
`}</Code>
      <p>
        Sign in with Google (the first account becomes admin), create a provisioning token and register a robot as the{" "}
        <Link href="/docs/getting-started">getting started</Link> page shows.
      </p>
    </>
  );
}
