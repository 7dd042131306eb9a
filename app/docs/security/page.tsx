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
          Local passwords are hashed with scrypt (N=16384, r=8, p=1, per-user salt). Sign-in attempts are throttled per
          account and address, and per address, in the store, so the limits hold across instances (
          <a href="#sign-in">below</a>).
        </li>
        <li>
          Sessions are encrypted JWT cookies (12 hours, HttpOnly, SameSite=Lax); the role and the account&apos;s session
          version are read from the user record on each request, so a role change applies at once and an ended session
          is refused (<a href="#sign-in">below</a>). Cookie-authenticated writes from another origin, or that do not say
          where they come from, are refused (see <a href="#csrf">cross-site requests</a>).
        </li>
        <li>
          Route wrappers reject callers without the role, and the domain verbs check again: a page or a layout is never
          the only gate.
        </li>
        <li>
          In the console, an area above your role (Training and Models need operator, Admin needs admin) says which role
          it needs instead of showing its pages (the answer is still HTTP 404). A robot, episode, job, model, bundle or
          session you may not see reads &ldquo;not found&rdquo;, exactly like one that does not exist (HTTP 404), so its
          existence is not revealed.
        </li>
      </ul>
      <h2 id="sign-in">Sign-in, sessions and accounts</h2>
      <p>What the sign-in and account endpoints defend against, and how (each case is in the API test suite):</p>
      <table>
        <thead>
          <tr>
            <th>Attack</th>
            <th>Defence</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>Open redirect after sign-in</td>
            <td>
              <code>callbackUrl</code> is parsed as a URL against the deployment&apos;s origin, as a browser would read
              it (backslashes as slashes, tabs and newlines dropped), and only a path on that same origin is kept: its
              normalized path and query, never one starting with <code>{"//"}</code>, never a scheme without{" "}
              <code>{"//"}</code> (<code>https:evil.example</code>), never credentials in the URL. Anything else goes to{" "}
              <code>/console</code>. One rule serves the sign-in page, the sign-in form, next-auth&apos;s redirects and
              the console&apos;s signed-out redirect.
            </td>
          </tr>
          <tr>
            <td>Links lost at sign-in</td>
            <td>
              A signed-out visitor to any console page (a replay link with <code>?step=1200</code>, a job, an OTA page)
              is sent to <code>/signin?callbackUrl=</code> with that page&apos;s path and query, and comes back to it
              after signing in (same-origin only, as above).
            </td>
          </tr>
          <tr>
            <td>A session that outlives sign-out</td>
            <td>
              Every session carries the account&apos;s session version. Signing out, a role change, an admin disabling
              the account and a password change raise the version, which ends every session of the account in every
              browser: an old cookie gets <code>401 session_revoked</code> (<code>account_disabled</code> while
              disabled), pages treat it as signed out, and <code>/api/auth/session</code> answers <code>{"{}"}</code>.
              Firebase ID tokens are checked for revocation by Firebase.
            </td>
          </tr>
          <tr>
            <td>Password guessing, and lockouts anyone can cause</td>
            <td>
              Throttled per account <em>and</em> address: the first 5 wrong passwords from one address cost nothing;
              after that the address waits 30 seconds, then twice as long after each further failure, up to 15 minutes,
              and meanwhile every attempt from it for that account, the right password included, gets{" "}
              <code>429 sign_in_throttled</code> with <code>Retry-After</code> (the form shows the wait). Each attempt
              is counted before the password is checked, so parallel guesses do not slip through. The owner signing in
              from another address is not held back: no one can lock an account by failing on purpose. Each address also
              has 100 attempts in 15 minutes across all accounts (<code>SIGNIN_RATE_LIMIT_PER_15MIN</code>). A success
              clears the account&apos;s count for that address; refusals are logged and audited (
              <code>user.sign_in</code>, outcome <code>denied</code>, with the address).
            </td>
          </tr>
          <tr>
            <td>Weak passwords</td>
            <td>
              At sign-up and password change, passwords are rated with zxcvbn (its common-password and breached-password
              lists, keyboard patterns, repeats, sequences, dates, and the person&apos;s own name and email) and
              anything below score 3 (about 10<sup>8</sup> guesses) is refused with <code>400 weak_password</code> and a
              reason: <code>1234567890</code>, <code>aaaaaaaaaa</code> and <code>password123</code> are refused; a few
              unrelated words pass.
            </td>
          </tr>
          <tr>
            <td>Finding out who has an account through sign-up</td>
            <td>
              Sign-up answers the same <code>202</code> whether the email was free or already had an account; an
              existing account is left exactly as it was (password, name, sessions) and the attempt is audited. Local
              accounts have no email channel to confirm ownership, so the sign-in that follows is still where a wrong
              password shows; both steps are limited per address (sign-ups 20 an hour, sign-ins as above), so probing
              costs a sign-up and a throttled sign-in per email.
            </td>
          </tr>
          <tr>
            <td>Disabled accounts</td>
            <td>
              An admin disables an account from Users &amp; roles (
              <code>PATCH /api/console/users/{"{uid}"}/disabled</code>
              ): its sessions end at once and its sign-ins are refused until it is enabled again. Admins cannot disable
              themselves.
            </td>
          </tr>
        </tbody>
      </table>
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
      <h2 id="robot-identity">Robot identity, lookups and the field index</h2>
      <p>What a robot, or someone holding a provisioning token, cannot do, and how each is refused:</p>
      <table>
        <thead>
          <tr>
            <th>Attempt</th>
            <th>Answer</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              Register a device id whose key an admin reset, with a provisioning token for its model (to heartbeat,
              upload and sign claim proofs as that robot)
            </td>
            <td>
              <code>403 reenrolment_required</code>: after a reset only the one-time re-enrolment token the reset issued
              registers that device id (<a href="/docs/provisioning#reset">key reset and re-enrolment</a>). Nothing
              changes: owner, key and audit stay as they were.
            </td>
          </tr>
          <tr>
            <td>Use a wrong, spent, expired or replaced re-enrolment token, or one issued for another device id</td>
            <td>
              <code>403 reenrolment_token_invalid</code>, nothing changes. A successful re-enrolment ends the
              robot&apos;s ownership (its owner claims it again with a proof from the re-enrolled robot) and is audited
              as <code>robot.reenrol</code> next to the admin&apos;s <code>robot.key_reset</code>.
            </td>
          </tr>
          <tr>
            <td>Sign with the old key after a reset, or claim with a proof it signed</td>
            <td>
              <code>401</code> on every robot route; its claim proofs get <code>403 claim_proof_bad_signature</code>,
              the answer a forged proof or one naming an unregistered robot gets.
            </td>
          </tr>
          <tr>
            <td>Look up another tenant&apos;s robot (as a robot or a signed-in user)</td>
            <td>
              <code>404 robot_not_found</code>, the same answer as for a device id nobody registered, unless its owner
              published it; then only its public part (
              <a href="/docs/robot-api#lookup-visibility">who can look a robot up</a>).
            </td>
          </tr>
          <tr>
            <td>
              Probe <code>/api/ota/&#123;device_id&#125;/registry.json</code> for registered device ids
            </td>
            <td>
              An unknown device id gets the same <code>200 {`{"models": {}}`}</code>, with the same headers, as a robot
              with nothing to install.
            </td>
          </tr>
          <tr>
            <td>Sign a request with any key under a device id, to learn whether that device id is registered</td>
            <td>
              <code>401 signature_invalid</code> with the same message for a registered, reset or unknown device id (an
              unknown one is checked against a key nobody holds).
            </td>
          </tr>
          <tr>
            <td>Probe claims for registered (or reset) device ids with made-up proofs</td>
            <td>
              <code>403 claim_proof_bad_signature</code> whether the device id is registered, reset or unknown; audited
              as denied, 20 attempts a minute per user.
            </td>
          </tr>
          <tr>
            <td>Send a signed robot request again (same nonce), even after a restart</td>
            <td>
              <code>401 nonce_replayed</code>; nonces are stored create-if-absent until the signature could expire.
            </td>
          </tr>
          <tr>
            <td>Change a signed request&apos;s path, query or body, or sign it with another robot&apos;s key</td>
            <td>
              <code>401 signature_invalid</code> or <code>401 digest_mismatch</code>; nothing is recorded.
            </td>
          </tr>
          <tr>
            <td>Read or change another tenant&apos;s robot (detail, rename, heartbeat for it)</td>
            <td>
              <code>404 robot_not_found</code> for users; <code>403 robot_mismatch</code> for a robot naming another
              robot.
            </td>
          </tr>
        </tbody>
      </table>
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
      <h2 id="isolation">Tenants, paths and relay sessions</h2>
      <ul>
        <li>
          Another owner&apos;s episode (detail, replay index, steps, series, frames), robot and remote session answer{" "}
          <code>404 episode_not_found</code>, <code>404 robot_not_found</code> and <code>404 session_not_found</code>,
          exactly as ids nobody used; lists never hold them.
        </li>
        <li>
          A signed blob URL whose signature, expiry, key, method, content type, size limit or file name was changed
          answers <code>403 signed_url_invalid</code>; one past its expiry <code>403 signed_url_expired</code>; a body
          over its size <code>413 body_too_large</code>. Nothing is stored.
        </li>
        <li>
          Blob keys are relative: a key with a <code>..</code> or empty segment, a backslash, a control character or a
          leading <code>/</code> is refused before the signature is even checked (<code>403 signed_url_invalid</code>),
          and the disk store checks again that every path stays under its folder. Ids in other routes are looked up,
          never used as paths.
        </li>
        <li>
          On the relay a session token joins only its own session on its own robot (
          <code>403 session_robot_mismatch</code>), a robot connects only as itself (<code>403 robot_mismatch</code>), a
          client naming another session gets <code>session_mismatch</code> and a robot naming a session that is not its
          own <code>unknown_session</code>; nothing is forwarded.
        </li>
      </ul>
      <h2 id="rate-limits">Rate limits</h2>
      <p>
        Every robot and every signed-in user has a per-minute request budget on the API (600 and 6000 by default,{" "}
        <code>ROBOT_RATE_LIMIT_PER_MIN</code> and <code>USER_RATE_LIMIT_PER_MIN</code>); past it the answer is{" "}
        <code>429</code> with <code>Retry-After</code>. The counts live in the store, so the budget holds across server
        instances: each instance adds its counts once a second and reads the shared total back. Sign-in and sign-up
        attempts, claims and remote-session verifies have their own, stricter limits counted exactly per attempt (local
        sign-ups: 20 an hour from one address, <code>SIGNUP_RATE_LIMIT_PER_HOUR</code>; sign-ins: 100 per address in 15
        minutes, <code>SIGNIN_RATE_LIMIT_PER_15MIN</code>, and a growing delay per account and address, described{" "}
        <a href="#sign-in">above</a>).
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
      <h2 id="upload-urls">Upload URLs after ingest</h2>
      <p>
        An episode&apos;s upload URL is a bearer credential for one key. Once ingest has claimed the upload, that URL
        can no longer change what was ingested: ingest moves the raw object to a key under <code>ingested/</code> that
        no upload URL addresses, and reads, re-validates and offers for download only that copy. On the embedded server
        a PUT to the old URL is refused with <code>409 upload_closed</code> and stores nothing; in the cloud, Cloud
        Storage accepts the signed URL until it expires (one hour at most), but the bytes land under the old key, which
        nothing reads and the episode&apos;s next ingest deletes. Upload URLs are also bounded in size by the
        per-episode cap, and each robot&apos;s open URLs count against its storage quota (
        <a href="/docs/ingestion#signed-url">Uploading episodes</a>).
      </p>
      <h2 id="audit">Audit log</h2>
      <p>
        Sign-ups (and sign-ups for a taken email), failed and throttled sign-ins, sign-outs, password changes, disabled
        and enabled accounts, role changes, claims and ownership changes, token creation and revocation, remote
        sessions, bundle creation and every rollout action are appended to <code>audit_log</code> with who, what,
        target, when, from where and the outcome. The product has no way to edit or delete an entry. Admins filter and
        export it from the console.
      </p>
    </>
  );
}
