import type { Metadata } from "next";

export const metadata: Metadata = { title: "Running in Google Cloud" };

const VARIABLES: Array<[string, string, string]> = [
  ["STORAGE_DRIVER", "firestore", "Documents in Firestore (Native mode)."],
  ["BLOB_DRIVER", "gcs", "Blobs in a Cloud Storage bucket."],
  ["AUTH_DRIVER", "firebase", "Google sign-in through Firebase Auth."],
  ["GOOGLE_CLOUD_PROJECT", "continuon-prod", "The project holding Firestore and Firebase Auth."],
  ["GCS_BUCKET", "continuon-rlds", "The bucket for episodes, models and bundles."],
  ["FIREBASE_API_KEY", "(web API key)", "Public key of the Firebase web app, for the sign-in page."],
  [
    "PUBLIC_URL",
    "https://continuon.cloud",
    "Where users and robots reach the service (signed URLs, relay URL, auth callbacks).",
  ],
  ["NEXTAUTH_SECRET", "(Secret Manager)", "Signs session cookies."],
  ["OTA_SIGNING_KEY", "(Secret Manager)", "Ed25519 private key (PKCS#8 PEM, or base64 of it) that signs OTA bundles."],
  ["TRUST_PROXY", "1", "Take the client address from Google's front end (X-Forwarded-For)."],
];

export default function Cloud() {
  return (
    <>
      <h1>Running in Google Cloud</h1>
      <p>
        The same build runs on Cloud Run with Firestore, Cloud Storage and Firebase Auth. Two variables switch the
        storage; the rest are the settings those services need. A missing one stops the server at start-up with a
        message that names it.
      </p>
      <h2 id="variables">Settings</h2>
      <table>
        <thead>
          <tr>
            <th>Variable</th>
            <th>Example</th>
            <th>Meaning</th>
          </tr>
        </thead>
        <tbody>
          {VARIABLES.map(([name, example, meaning]) => (
            <tr key={name}>
              <td>
                <code>{name}</code>
              </td>
              <td>
                <code>{example}</code>
              </td>
              <td>{meaning}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 id="health">Health and readiness</h2>
      <p>
        <code>GET /api/health</code> answers while the process is alive. <code>GET /api/ready</code> answers 200 only
        when Firestore and the bucket both answer, and 503 otherwise — point Cloud Run&apos;s startup and liveness
        probes at them.
      </p>
      <h2 id="shutdown">Shutdown</h2>
      <p>
        On SIGTERM the server stops accepting connections, lets in-flight requests finish (up to 25 seconds, inside
        Cloud Run&apos;s 10-second default grace you should raise), stops its background workers and closes the store.
      </p>
      <h2 id="indexes">Firestore indexes</h2>
      <p>
        <code>firestore.indexes.json</code> is generated from the index declarations in the code (
        <code>npm run indexes</code>) and deployed with <code>firebase deploy --only firestore:indexes</code>. A test
        fails when the file and the declarations disagree, and the embedded store refuses in tests any query whose index
        is missing.
      </p>
      <h2 id="local">Running the cloud mode locally</h2>
      <p>
        Cloud mode runs offline against stand-ins for the three services, so you can try it (and the tests run it)
        without a Google account:
      </p>
      <pre>
        <code>{`npx tsx tools/cloud-emulators/main.ts --write-env /tmp/cloud-env.sh
# in another shell
source /tmp/cloud-env.sh && npm run build && npm start`}</code>
      </pre>
      <ul>
        <li>
          <strong>Firestore</strong>: the <code>@firestore-emulator/server</code> package, in process. It is patched (
          <code>patches/</code>, applied by <code>npm install</code>) to behave as Firestore does where the app relies
          on it: <code>set</code> replaces, every field transform of a write runs, <code>update_time</code>{" "}
          preconditions, nested fields in filters and orders, cursors, atomic batches and transactions that cannot lose
          updates.
        </li>
        <li>
          <strong>Cloud Storage</strong>: the repository&apos;s GCS test server, which checks V4 signed URLs against a
          throwaway service account (its key file is the Application Default Credentials the app signs with) and answers
          browsers with the CORS rule of the deploy guide&apos;s <code>cors.json</code>.
        </li>
        <li>
          <strong>Firebase Auth</strong>: the emulator from firebase-tools. Its Google sign-in popup offers made-up
          accounts. Add <code>--auth local</code> to keep local accounts instead.
        </li>
      </ul>
      <p>
        The script prints the settings above for a <code>demo-*</code> project (<code>STORAGE_DRIVER=firestore</code>,{" "}
        <code>BLOB_DRIVER=gcs</code>, the emulator hosts, a generated <code>OTA_SIGNING_KEY</code> and{" "}
        <code>NEXTAUTH_SECRET</code>). Data lives in memory until you stop it with Ctrl-C.
      </p>
      <p>
        <code>node scripts/test-cloud-mode.mjs</code> (the <code>cloud</code> step of <code>npm test</code>, after{" "}
        <code>npm run build</code>) runs the same API and browser specs as the embedded default against these emulators.
        The API specs sign in through the Auth emulator; the browser specs use local accounts, since they fill in the
        email and password form. Each test server gets a Firestore database and a bucket named after its data folder, so
        a new folder is an empty deployment and a restarted server finds its data again.
      </p>
    </>
  );
}
