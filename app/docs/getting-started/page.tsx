import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Getting started" };

export default function GettingStarted() {
  return (
    <>
      <h1>Getting started</h1>
      <p>
        continuon.cloud runs on your machine with no account, no credentials and no network: documents live in a SQLite
        file and blobs in a folder, both under <code>.data/</code> (or <code>CONTINUON_DATA_DIR</code>). The same code
        runs in Google Cloud on Firestore, Cloud Storage and Cloud Run.
      </p>
      <h2 id="requirements">Requirements</h2>
      <ul>
        <li>Node.js 20 and npm 10 or later.</li>
        <li>A C++ toolchain for the SQLite driver (python3, make, g++) if npm cannot download its prebuilt binary.</li>
      </ul>
      <h2 id="start">Start it</h2>
      <pre>
        <code>{`npm install && npm run demo`}</code>
      </pre>
      <p>
        This builds the app, starts it on <code>http://localhost:3000</code> and starts a small simulated fleet. Open
        the address and create the first account: it becomes the <strong>admin</strong>. Every later account is an{" "}
        <strong>owner</strong> until an admin changes its role.
      </p>
      <h2 id="first-run">What happens on first run</h2>
      <ul>
        <li>
          <code>.data/continuon.db</code> — the document store (SQLite, WAL).
        </li>
        <li>
          <code>.data/blobs/</code> — episodes, models and bundles, in the same key layout as the cloud bucket.
        </li>
        <li>
          <code>.data/secrets.json</code> — the session secret, the blob URL signing key and the OTA signing key,
          generated once with permissions 0600. Nothing secret ships with the code.
        </li>
      </ul>
      <h2 id="several">Several instances side by side</h2>
      <p>
        Give each its own port and data folder: <code>PORT=3001 CONTINUON_DATA_DIR=/tmp/fleet-b npm start</code>.
      </p>
      <h2 id="tests">Run the tests</h2>
      <pre>
        <code>npm test</code>
      </pre>
      <p>
        It runs lint, formatting and type checks, the unit and contract suites (SQLite, local disk, the Firestore
        emulator and the GCS test server), the API tests against a running server and the browser tests in Chromium.
      </p>
      <h2 id="next">Next</h2>
      <ul>
        <li>
          <Link href="/docs/architecture">Architecture</Link> — the layers and the request flows.
        </li>
        <li>
          <Link href="/docs/security">Security model</Link> — users and roles, robot keys, claim proofs, tokens and the
          audit log.
        </li>
        <li>
          <Link href="/docs/cloud">Running in Google Cloud</Link> — the drivers and settings for Firestore, Cloud
          Storage and Firebase Auth.
        </li>
      </ul>
    </>
  );
}
