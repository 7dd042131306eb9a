import type { Metadata } from "next";
import Link from "next/link";
import { API_EXAMPLES, httpText, pretty } from "./examples";

export const metadata: Metadata = { title: "Robot API: registry" };

const ERRORS: Array<{ status: number; code: string; reason: string; when: string }> = [
  {
    status: 401,
    code: "unauthenticated",
    reason: "signature_missing",
    when: "No Signature-Input / Signature headers (or no sig1).",
  },
  {
    status: 401,
    code: "unauthenticated",
    reason: "signature_malformed",
    when: "A header or parameter cannot be parsed, or created/expires/nonce/keyid is missing.",
  },
  {
    status: 401,
    code: "unauthenticated",
    reason: "signature_components_missing",
    when: "The signature does not cover @method, @authority, @path, @query (with a query) and content-digest (with a body).",
  },
  {
    status: 401,
    code: "unauthenticated",
    reason: "digest_missing",
    when: "The request has a body but no sha-256 Content-Digest.",
  },
  {
    status: 401,
    code: "unauthenticated",
    reason: "signature_expired",
    when: "created is more than 300 s old, or expires has passed.",
  },
  {
    status: 401,
    code: "unauthenticated",
    reason: "signature_from_future",
    when: "created is more than 30 s ahead of the server clock.",
  },
  {
    status: 401,
    code: "unauthenticated",
    reason: "signature_unknown_key",
    when: "keyid is not a device id (8 lowercase hex digits or a UUID).",
  },
  {
    status: 401,
    code: "unauthenticated",
    reason: "signature_invalid",
    when: "The signature does not verify over this request (wrong key, changed header, other host), or keyid is a device id that is not registered or whose key an admin reset: the same answer, so device ids cannot be probed.",
  },
  {
    status: 401,
    code: "unauthenticated",
    reason: "digest_mismatch",
    when: "The body is not the one the signature covers.",
  },
  {
    status: 401,
    code: "unauthenticated",
    reason: "nonce_replayed",
    when: "The nonce was already used by this robot within the window.",
  },
  {
    status: 401,
    code: "unauthenticated",
    reason: "provisioning_token_unknown",
    when: "register: the token is not one this registry issued.",
  },
  {
    status: 403,
    code: "forbidden",
    reason: "provisioning_token_revoked",
    when: "register: an admin revoked the token.",
  },
  {
    status: 403,
    code: "forbidden",
    reason: "provisioning_token_expired",
    when: "register: the token's expiry has passed.",
  },
  {
    status: 403,
    code: "forbidden",
    reason: "provisioning_token_exhausted",
    when: "register: the token's use limit is reached.",
  },
  {
    status: 403,
    code: "forbidden",
    reason: "provisioning_token_wrong_model",
    when: "register: the token is for another model or manufacturer than the RURI.",
  },
  {
    status: 403,
    code: "forbidden",
    reason: "robot_mismatch",
    when: "The request names another robot than the signer (RURI at registration, device_id or ruri in a heartbeat).",
  },
  {
    status: 403,
    code: "forbidden",
    reason: "reenrolment_required",
    when: "register: an admin reset this device_id's key; only the re-enrolment token issued with that reset registers it again (see /docs/provisioning#reset).",
  },
  {
    status: 403,
    code: "forbidden",
    reason: "reenrolment_token_invalid",
    when: "register: reenrolment_token is wrong, already used, replaced by a later reset, expired, or for another device_id.",
  },
  {
    status: 409,
    code: "conflict",
    reason: "device_id_taken",
    when: "register: the device_id is registered with another key (or RURI); an admin must reset it.",
  },
  { status: 400, code: "invalid", reason: "invalid_ruri", when: "The RURI breaks a rule; the message names the part." },
  {
    status: 400,
    code: "invalid",
    reason: "invalid_public_key",
    when: "register: public_key is not base64url of 32 raw bytes.",
  },
  {
    status: 400,
    code: "invalid",
    reason: "invalid_input",
    when: "A field has the wrong type or range (details.issues names each).",
  },
  {
    status: 403,
    code: "forbidden",
    reason: "claim_proof_bad_signature",
    when: "claim: the proof does not verify with the robot's registered key (forged), or it names a robot that is not registered or whose key an admin reset: all three get the same answer, so claims do not tell which device ids exist.",
  },
  { status: 403, code: "forbidden", reason: "claim_proof_wrong_user", when: "claim: the proof's sub is another user." },
  {
    status: 409,
    code: "conflict",
    reason: "claim_proof_stale",
    when: "claim: the robot already accepted a proof with this iat or a later one.",
  },
  {
    status: 409,
    code: "conflict",
    reason: "claim_proof_replayed",
    when: "claim: this very proof (jti) was already used.",
  },
  {
    status: 404,
    code: "not_found",
    reason: "robot_not_found",
    when: "lookup: no such robot, or one the caller may not see (the same answer for both).",
  },
  { status: 413, code: "too_large", reason: "body_too_large", when: "A body over 16 KiB." },
];

export default function RobotApi() {
  return (
    <>
      <h1>Robot API: registry</h1>
      <p>
        Robots register their Ed25519 device key once, then heartbeat; owners claim them with a proof the robot signs.
        Every robot request is signed as described in <Link href="/docs/signatures">Signed robot requests</Link>; the
        examples below are run against a live server by the test suite, so they show what the API really answers.
      </p>
      <table>
        <thead>
          <tr>
            <th>Endpoint</th>
            <th>Who</th>
            <th>Answer</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code>POST /api/rcan/register</code>
            </td>
            <td>
              a robot, signed with the key it registers, with a provisioning token (after an admin&apos;s key reset:
              with the reset&apos;s <code>reenrolment_token</code> instead)
            </td>
            <td>201 registry document (200 when already registered with this key)</td>
          </tr>
          <tr>
            <td>
              <code>POST /api/rcan/heartbeat</code>
            </td>
            <td>a registered robot</td>
            <td>
              200 <code>{"{server_time, next_heartbeat_s, status, pending}"}</code>
            </td>
          </tr>
          <tr>
            <td>
              <code>GET /api/rcan/lookup?ruri=…</code>
            </td>
            <td>a robot, or a signed-in user</td>
            <td>
              200 robot: everything to the robot itself, its owner, operators and admins; the public part of a robot its
              owner published; everyone else gets the 404 an unknown robot gets (<a href="#lookup-visibility">below</a>)
            </td>
          </tr>
          <tr>
            <td>
              <code>POST /api/robots/claim</code>
            </td>
            <td>a signed-in user with a claim proof</td>
            <td>
              200 <code>{"{robot, transferred_from, already_owner}"}</code>
            </td>
          </tr>
          <tr>
            <td>
              <code>GET /api/robots</code>, <code>GET|PATCH /api/robots/&#123;device_id&#125;</code>
            </td>
            <td>signed-in users (owners: their robots; operators and admins: the fleet)</td>
            <td>
              lists with filters and cursors; detail with heartbeat history; rename, tags and{" "}
              <code>lookup_visibility</code>
            </td>
          </tr>
        </tbody>
      </table>
      <h2 id="lookup-visibility">Who can look a robot up</h2>
      <p>
        A robot is <strong>private</strong> by default: a lookup by another robot, or by a signed-in user who neither
        owns it nor is an operator or admin, answers <code>404 robot_not_found</code>, byte for byte what a device id
        nobody registered gets, so lookups cannot tell which device ids exist. Its owner (or an operator) may publish it
        with <code>PATCH /api/robots/&#123;device_id&#125; {`{"lookup_visibility": "public"}`}</code> (console: the
        robot&apos;s page, <em>Name, tags and lookup</em>); any signed robot or signed-in user then sees its public
        part: <code>device_id</code>, <code>ruri</code>, <code>manufacturer</code>, <code>model</code>,{" "}
        <code>name</code>, <code>status</code>, <code>capabilities</code>, <code>registered_at</code> and{" "}
        <code>claimed</code> — never its owner, key, endpoint, battery or history.{" "}
        <code>{`{"lookup_visibility": "private"}`}</code> withdraws it. Changes are audited (<code>robot.update</code>).
      </p>
      <h2 id="status">Online, sleeping, offline</h2>
      <p>
        A robot is <strong>offline</strong> when no heartbeat came for 3 intervals (the interval is{" "}
        <code>next_heartbeat_s</code>, 60 s unless the deployment sets <code>HEARTBEAT_INTERVAL_S</code>); otherwise it
        has the status it last reported (<code>online</code> or <code>sleeping</code>; reporting <code>offline</code>{" "}
        takes it offline at once). The status is computed when read, from the stored end of the robot&apos;s window (
        <code>offline_after</code>), so nothing rewrites it behind the robot&apos;s back. Registration counts as the
        first contact. One heartbeat point per minute is kept for 24 hours for the console&apos;s charts.
      </p>
      <h2 id="pending">Pending work</h2>
      <p>
        The heartbeat&apos;s <code>pending</code> object says what waits for the robot. When an OTA rollout offers the
        robot a bundle (its model, its cohort, a version it can take), <code>pending.ota</code> is{" "}
        <code>{`{bundle_id, version, rollback, check_url}`}</code>: call <code>check_url</code> (a signed{" "}
        <code>GET /api/ota/check</code>) for the signed download link, checksum and signature. It is a hint that may lag
        a rollout step by a few seconds; <code>check</code> decides. With nothing waiting, <code>pending</code> is{" "}
        <code>{"{}"}</code>.
      </p>
      {API_EXAMPLES.map((example) => (
        <section key={example.id} data-testid={`example-${example.id}`}>
          <h2 id={example.id}>{example.title}</h2>
          {example.note && <p>{example.note}</p>}
          <pre>
            <code>{httpText(example)}</code>
          </pre>
          <p>
            Answer <strong>{example.status}</strong>:
          </p>
          <pre>
            <code>{pretty(example.response)}</code>
          </pre>
        </section>
      ))}
      <h2 id="errors">Errors</h2>
      <p>
        Errors are <code>{'{"error": {"code", "message", "reason", "request_id"}}'}</code>. Robots should branch on{" "}
        <code>code</code> and <code>reason</code>; messages name the header, field or part at fault and may change.
        Refused requests change nothing.
      </p>
      <table>
        <thead>
          <tr>
            <th>Status</th>
            <th>code / reason</th>
            <th>When</th>
          </tr>
        </thead>
        <tbody>
          {ERRORS.map((error) => (
            <tr key={error.reason}>
              <td>{error.status}</td>
              <td>
                <code>{error.code}</code> / <code>{error.reason}</code>
              </td>
              <td>{error.when}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
