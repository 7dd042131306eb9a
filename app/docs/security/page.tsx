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
          each request, so a role change applies at once. Cookie-authenticated writes from another origin are refused.
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
