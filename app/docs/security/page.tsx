import type { Metadata } from "next";

export const metadata: Metadata = { title: "Security model" };

export default function Security() {
  return (
    <>
      <h1>Security model</h1>
      <p>
        Every robot request is signed, every user action is checked against the actor in the domain, every token
        expires, and every action that matters lands in the audit log.
      </p>
      <h2 id="users">Users and roles</h2>
      <table>
        <thead>
          <tr>
            <th>Role</th>
            <th>Can</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>owner</td>
            <td>
              Every signed-in user. Claims robots; sees only the robots they own and their episodes; opens remote
              sessions to them.
            </td>
          </tr>
          <tr>
            <td>operator</td>
            <td>Fleet-wide datasets and episodes, training jobs, models, OTA bundles and rollouts.</td>
          </tr>
          <tr>
            <td>admin</td>
            <td>Users and roles, provisioning and training tokens, robot key resets, the audit log.</td>
          </tr>
        </tbody>
      </table>
      <ul>
        <li>The first account created on a deployment becomes admin. No default password exists anywhere.</li>
        <li>
          Local passwords are hashed with scrypt (N=16384, r=8, p=1, per-user salt). Sign-in attempts are rate-limited
          per email and per address, in the store, so the limit holds across instances.
        </li>
        <li>
          Sessions are signed JWT cookies (12 hours, HttpOnly, SameSite=Lax); the role is read from the user record on
          each request, so a role change applies at once. Cookie-authenticated writes from another origin, or that do
          not say where they come from, are refused (see <a href="#csrf">cross-site requests</a>).
        </li>
        <li>
          Route wrappers reject callers without the role, and the domain verbs check again: a page or a layout is never
          the only gate.
        </li>
      </ul>
      <h2 id="robots">Robots</h2>
      <p>
        A robot is identified by its RURI <code>rcan://registry/manufacturer/model/device_id</code> and holds an Ed25519
        device key. It registers its public key once, with a provisioning token an admin created. Every later request is
        signed with HTTP Message Signatures (RFC 9421): a request older than five minutes, from the future, with a nonce
        seen before, or whose body does not match its Content-Digest is refused. Registering never makes anyone an
        owner.
      </p>
      <h2 id="ownership">Ownership</h2>
      <p>
        A robot becomes owned only through a local claim proof: a compact JWS the robot signs with its device key when
        its owner pairs with it in person. The cloud verifies the proof against the registered key and requires its
        subject to be the caller. A newer proof transfers ownership; an older or replayed one is refused.
      </p>
      <h2 id="tokens">Other credentials</h2>
      <ul>
        <li>
          Provisioning and training tokens are shown once, stored as hashes, expire or can be revoked, and record when
          they were last used.
        </li>
        <li>
          Remote session tokens last one hour and are bound to one user, one robot and one session; a live connection
          closes when its token expires or is revoked.
        </li>
        <li>
          Signed blob URLs are bound to one key, one method, a content type and a maximum size, and expire (an hour at
          most for uploads).
        </li>
      </ul>
      <h2 id="rate-limits">Rate limits</h2>
      <p>
        Every robot and every signed-in user has a per-minute request budget on the API (600 and 6000 by default,{" "}
        <code>ROBOT_RATE_LIMIT_PER_MIN</code> and <code>USER_RATE_LIMIT_PER_MIN</code>); past it the answer is{" "}
        <code>429</code> with <code>Retry-After</code>. The counts live in the store, so the budget holds across server
        instances: each instance adds its counts once a second and reads the shared total back. Sign-in and sign-up
        attempts, claims and remote-session verifies have their own, stricter limits counted exactly per attempt (local
        sign-ups: 20 an hour from one address, <code>SIGNUP_RATE_LIMIT_PER_HOUR</code>; sign-ins: 10 per account and 100
        per address in 15 minutes, <code>SIGNIN_RATE_LIMIT_PER_15MIN</code>).
      </p>
      <h2 id="http-edge">The HTTP edge</h2>
      <h3 id="body-caps">Request bodies are capped on every route</h3>
      <p>
        The server caps every request body before any handler reads it (sign-in and sign-out included). A body that
        declares a <code>Content-Length</code> over its route&apos;s cap is answered at once, unread; a chunked body is
        counted as it arrives and cut the moment it passes the cap. Either way the answer is <code>413</code> with
        reason <code>body_too_large</code>, nothing is stored or changed, and the connection closes. A client that sends{" "}
        <code>Expect: 100-continue</code> is refused before it sends the body. Routes may take less than these caps (a
        sign-up takes 16 KiB, a heartbeat 64 KiB).
      </p>
      <table>
        <thead>
          <tr>
            <th>Route</th>
            <th>Cap</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code>PUT /api/blobs/…</code> (signed upload URLs)
            </td>
            <td>the size the URL was signed for, counted as it is written</td>
          </tr>
          <tr>
            <td>
              <code>PUT /api/rlds/upload/{"{episode_id}"}</code>, <code>POST /api/rlds/upload</code>
            </td>
            <td>the upload&apos;s own maximum (16 GiB at most), counted as it is written</td>
          </tr>
          <tr>
            <td>
              <code>POST /api/rlds/signed-url</code>
            </td>
            <td>4 MiB</td>
          </tr>
          <tr>
            <td>Robot heartbeats, registration, lookup and update checks</td>
            <td>64 KiB</td>
          </tr>
          <tr>
            <td>
              <code>/api/auth/*</code> (sign-in, sign-out, sign-up)
            </td>
            <td>64 KiB</td>
          </tr>
          <tr>
            <td>Every other API route</td>
            <td>1 MiB</td>
          </tr>
          <tr>
            <td>
              Pages, and every <code>GET</code> and <code>HEAD</code>
            </td>
            <td>no body at all (a chunked one is refused at once too)</td>
          </tr>
        </tbody>
      </table>
      <h3 id="csrf">Cross-site requests</h3>
      <p>
        A write (<code>POST</code>, <code>PUT</code>, <code>PATCH</code>, <code>DELETE</code>) authenticated by the
        session cookie must show it comes from this site: an <code>Origin</code> of the public URL, or, without one,{" "}
        <code>Sec-Fetch-Site: same-origin</code> (browsers send one or the other). Another origin,{" "}
        <code>Origin: null</code> or any other <code>Sec-Fetch-Site</code> is <code>403 cross_site_request</code>; a
        write with neither header is <code>403 origin_required</code>. Requests with a bearer token or a robot signature
        are not affected: browsers never attach those on their own. Sign-in and sign-out additionally need
        next-auth&apos;s CSRF token (a double-submit cookie), and a sign-in or sign-out form posted from another site is
        refused with <code>403 cross_site_request</code> before it is read.
      </p>
      <h3 id="headers">Response headers</h3>
      <ul>
        <li>
          Pages carry a <code>Content-Security-Policy</code> with a fresh nonce per answer: only scripts with that nonce
          (and what they load) run, inline event handlers never (<code>script-src-attr &apos;none&apos;</code>), no
          plugins, and no other site may frame a page (<code>frame-ancestors &apos;none&apos;</code>). Pages connect
          only to this site, the relay (<code>RELAY_PUBLIC_URL</code>, over <code>ws:</code>/<code>wss:</code>) and, in
          cloud mode, the storage bucket&apos;s signed URLs (also allowed for images, so replay frames load from the
          bucket).
        </li>
        <li>
          API answers carry{" "}
          <code>Content-Security-Policy: default-src &apos;none&apos;; frame-ancestors &apos;none&apos;</code> (nothing
          loads if one is opened as a document) and <code>X-Content-Type-Options: nosniff</code>.
        </li>
        <li>
          When <code>PUBLIC_URL</code> is https, every answer carries{" "}
          <code>Strict-Transport-Security: max-age=31536000; includeSubDomains</code> and pages ask the browser to
          upgrade insecure requests.
        </li>
      </ul>
      <h2 id="secrets">Secrets</h2>
      <p>
        The session secret, the blob URL signing key and the OTA signing key come from the environment (Secret Manager
        in the cloud). On the embedded default they are generated on first run into <code>secrets.json</code> in the
        data folder with permissions 0600; nothing secret ships with the code.
      </p>
      <h2 id="audit">Audit log</h2>
      <p>
        Sign-ups, failed sign-ins, role changes, claims and ownership changes, token creation and revocation, remote
        sessions, bundle creation and every rollout action are appended to <code>audit_log</code> with who, what,
        target, when, from where and the outcome. The product has no way to edit or delete an entry. Admins filter and
        export it from the console.
      </p>
    </>
  );
}
