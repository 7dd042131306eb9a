import type { Metadata } from "next";

export const metadata: Metadata = { title: "Architecture" };

export default function Architecture() {
  return (
    <>
      <h1>Architecture</h1>
      <p>
        One Next.js application serves the landing page, these docs, the console and the robot-facing API. A custom Node
        server runs it and also hosts the WebSocket signaling relay. The domain code never knows which backend it runs
        on.
      </p>
      <h2 id="layers">Layers</h2>
      <table>
        <thead>
          <tr>
            <th>Layer</th>
            <th>Folder</th>
            <th>What it holds</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>Pages and route handlers</td>
            <td>
              <code>app/</code>
            </td>
            <td>Thin: a route authenticates through a wrapper, calls one domain verb, shapes the answer.</td>
          </tr>
          <tr>
            <td>Domain</td>
            <td>
              <code>lib/</code>
            </td>
            <td>
              Framework-free TypeScript: one verb per file, each checks the actor first. Ports for documents and blobs.
            </td>
          </tr>
          <tr>
            <td>Wiring</td>
            <td>
              <code>server/</code>
            </td>
            <td>
              The custom server, the composition root that picks adapters, route wrappers, the relay, background
              workers.
            </td>
          </tr>
          <tr>
            <td>Adapters</td>
            <td>
              <code>server/adapters/</code>
            </td>
            <td>SQLite and Firestore behind the document port; local disk and Cloud Storage behind the blob port.</td>
          </tr>
        </tbody>
      </table>
      <h2 id="drivers">Drivers</h2>
      <table>
        <thead>
          <tr>
            <th>Variable</th>
            <th>Embedded default</th>
            <th>Cloud</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code>STORAGE_DRIVER</code>
            </td>
            <td>
              <code>sqlite</code> — <code>$CONTINUON_DATA_DIR/continuon.db</code>
            </td>
            <td>
              <code>firestore</code> — <code>GOOGLE_CLOUD_PROJECT</code>
            </td>
          </tr>
          <tr>
            <td>
              <code>BLOB_DRIVER</code>
            </td>
            <td>
              <code>local</code> — <code>$CONTINUON_DATA_DIR/blobs</code>, HMAC-signed URLs served by the app
            </td>
            <td>
              <code>gcs</code> — <code>GCS_BUCKET</code>, V4 signed URLs
            </td>
          </tr>
          <tr>
            <td>
              <code>AUTH_DRIVER</code>
            </td>
            <td>
              <code>local</code> — email and password (scrypt)
            </td>
            <td>
              <code>firebase</code> — Google sign-in, ID tokens verified with firebase-admin
            </td>
          </tr>
        </tbody>
      </table>
      <p>
        An unknown value or a missing cloud setting stops the server at start-up with a message naming the variable.
      </p>
      <h2 id="storage">The document port</h2>
      <p>
        The port means what Firestore means: get, create (fails when the id exists), set, update with a revision
        precondition, delete, queries with equality filters plus at most one range, <code>in</code> or{" "}
        <code>array-contains</code> filter, one order, a limit and an opaque cursor, batched writes and optimistic
        transactions. Every index a query needs is declared once; <code>firestore.indexes.json</code> and the SQLite
        expression indexes are both produced from that list, and in tests the SQLite adapter refuses any query whose
        Firestore index is missing — so a query cannot reach production without its index.
      </p>
      <p>
        On the embedded store, robots&apos; heartbeats are committed in groups: the writes that arrive while one group
        commits form the next. The commits run on a writer thread with its own connection to the database file, so the
        server keeps answering requests while SQLite writes and flushes; a heartbeat is answered only after its group is
        on disk. <code>SQLITE_WRITER_THREAD=off</code> commits on the main thread instead.
      </p>
      <h2 id="flows">Request flows</h2>
      <h3>A robot request</h3>
      <ol>
        <li>The robot signs the request with its Ed25519 device key (HTTP Message Signatures) and sends it.</li>
        <li>
          The route&apos;s wrapper reads the body (bounded), checks the Content-Digest, the signature, its age and its
          nonce (kept in the store).
        </li>
        <li>
          The handler calls one domain verb with a context whose actor is that robot; the verb checks the robot may act
          on what it names.
        </li>
        <li>
          Domain errors map to statuses in one table; the answer carries a request id that also tags the log line.
          Successful heartbeats and update checks, which every robot sends every minute, log that line at{" "}
          <code>debug</code>; their failures log at <code>info</code>, and the metrics count every call.
        </li>
      </ol>
      <h3>A console request</h3>
      <ol>
        <li>The console layout sends signed-out visitors to the sign-in page (a convenience, not the check).</li>
        <li>
          Server components call domain verbs directly with the signed-in user&apos;s context; the verbs check the role
          and ownership.
        </li>
        <li>Client components call route handlers for changes and refresh the server-rendered data.</li>
      </ol>
      <h3>A relay message</h3>
      <ol>
        <li>
          The robot keeps one signed WebSocket to <code>/api/remote/signal</code>; a client connects with its session
          token.
        </li>
        <li>
          Each message is validated against a versioned schema, size- and rate-limited, then forwarded to the other end
          of that session only.
        </li>
        <li>
          Session state is shared between the relay and the route handlers through the runtime registry and the store.
        </li>
      </ol>
    </>
  );
}
