import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "OTA endpoints for robots" };

const CHECK = `GET /api/ota/check?current_version=1.0.0            (signed robot request)

200 {"update": {
  "bundle_id": "companion-v1@1.1.0",
  "version": "1.1.0",
  "download_url": "https://continuon.cloud/api/ota/download?bundle_id=companion-v1%401.1.0&device=14d4b680&expires=1780315200&sig=…",
  "expires_at": "2026-06-01T13:00:00.000Z",
  "checksum": "sha256:3b5d…",
  "signature": "<base64 Ed25519 over the whole bundle>",
  "key_id": "ota-3f9a…",
  "size_bytes": 5243904,
  "requires_version": ">=1.0.0",
  "min_brain_version": "0.0.0",
  "release_notes": "Smoother grasping",
  "rollback": false
}}

200 {"update": null, "reason": "not_in_cohort"}`;

const REPORT = `POST /api/ota/report                                (signed robot request)
{"bundle_id": "companion-v1@1.1.0", "status": "installed"}
{"bundle_id": "companion-v1@1.1.0", "status": "failed", "error": "checksum mismatch after unpack"}

200 {"bundle_id": "companion-v1@1.1.0", "state": "installed", "changed": true}`;

const INDEX = `GET /api/ota/14d4b680/registry.json                 (no credentials)
Content-Type: application/json

{"models": {"seed": {
  "latest_version": "1.1.0",
  "versions": {"1.1.0": {
    "download_url": "https://continuon.cloud/api/ota/download?bundle_id=companion-v1%401.1.0&device=14d4b680&expires=…&sig=…",
    "checksum": "sha256:3b5d…",
    "signature": "<base64 Ed25519 over the bundle bytes>",
    "size_bytes": 5243904,
    "release_notes": "Smoother grasping",
    "min_brain_version": "0.0.0",
    "created_at": "2026-06-01T12:00:00.000+00:00",
    "metadata": {"bundle_id": "companion-v1@1.1.0", "robot_model": "companion-v1", "model_id": "mdl_…",
                 "model_name": "seed", "key_id": "ota-3f9a…", "requires_version": ">=1.0.0",
                 "rollout_status": "canary", "download_url_expires_at": "2026-06-01T13:00:00.000+00:00"}
  }}
}}}`;

const FIELD = `# 1. the index URL: the updater reads it from its environment (or its constructor argument)
export CONTINUON_MODEL_REGISTRY_URL=https://continuon.cloud/api/ota/14d4b680/registry.json
#    another model id than the default "seed": append ?model_id=<id> to that URL

# 2. the platform's public key, as the 32 raw bytes the updater reads (not base64 text)
mkdir -p <config_dir>/keys
curl -fsS -o <config_dir>/keys/model_signing.pub 'https://continuon.cloud/api/ota/public-key?format=raw'
test "$(stat -c %s <config_dir>/keys/model_signing.pub)" = 32 && echo key ok`;

export default function OtaRobotApi() {
  return (
    <>
      <h1>OTA endpoints for robots</h1>
      <p>
        Robots with a device key use the signed endpoints (<code>check</code> and <code>report</code>), signed like
        every robot request (RFC 9421, see <Link href="/docs/security">Security model</Link>). Robots running the field
        runtime, which sends no credentials, poll their <code>registry.json</code> index. Both only ever see bundles of
        their own robot model, for their cohort, that their installed version and runtime can take.
      </p>
      <h2 id="check">GET /api/ota/check</h2>
      <pre>
        <code>{CHECK}</code>
      </pre>
      <ul>
        <li>
          The robot model comes from the robot&apos;s registry entry, never from the request.{" "}
          <code>current_version</code> is the bundle version the robot runs (plain <code>MAJOR.MINOR.PATCH</code>;
          anything else is 400 <code>invalid_version</code>); without it, the version from its last heartbeat is used.
          An optional <code>brain_version</code> overrides the runtime version from the heartbeat.
        </li>
        <li>
          <code>reason</code> when there is no update: <code>no_release</code>, <code>up_to_date</code>,{" "}
          <code>not_in_cohort</code>, <code>rollout_paused</code>, <code>requires_version_not_met</code>,{" "}
          <code>min_brain_version_not_met</code>.
        </li>
        <li>
          Checking in with <code>current_version</code> equal to an offered bundle&apos;s version counts that robot as{" "}
          <code>installed</code>.
        </li>
        <li>
          <code>&quot;rollback&quot;: true</code> marks an older production bundle offered because the robot runs a
          version that was rolled back: install it even though its version is lower.
        </li>
      </ul>
      <h2 id="report">POST /api/ota/report</h2>
      <pre>
        <code>{REPORT}</code>
      </pre>
      <p>
        <code>status</code> is <code>downloaded</code>, <code>installed</code>, <code>failed</code> or{" "}
        <code>rolled_back</code> (the robot undid an install itself; counted as a failure). Repeats and late reports
        change nothing and answer the current state.
      </p>
      <table>
        <thead>
          <tr>
            <th>Refusal</th>
            <th>Status</th>
            <th>reason</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>Unknown bundle</td>
            <td>404</td>
            <td>
              <code>bundle_not_found</code>
            </td>
          </tr>
          <tr>
            <td>A bundle of another robot model</td>
            <td>403</td>
            <td>
              <code>wrong_robot_model</code>
            </td>
          </tr>
          <tr>
            <td>A bundle this robot was never offered</td>
            <td>409</td>
            <td>
              <code>bundle_not_offered</code>
            </td>
          </tr>
          <tr>
            <td>
              <code>device_id</code> naming another robot
            </td>
            <td>403</td>
            <td>
              <code>robot_mismatch</code>
            </td>
          </tr>
          <tr>
            <td>Malformed body, unknown status</td>
            <td>400</td>
            <td>
              <code>invalid_input</code>
            </td>
          </tr>
          <tr>
            <td>Unsigned, expired, replayed or tampered request</td>
            <td>401</td>
            <td>
              <code>signature_*</code>, <code>nonce_replayed</code>, <code>digest_mismatch</code>
            </td>
          </tr>
        </tbody>
      </table>
      <h2 id="download">Downloading</h2>
      <p>
        <code>download_url</code> is valid for one hour, for that bundle and that robot. It answers <code>200</code>{" "}
        with the whole file (<code>application/gzip</code>) or <code>206</code> for one <code>Range</code> (resume a
        broken download with <code>Range: bytes=&lt;received&gt;-</code>); <code>416</code>{" "}
        <code>range_not_satisfiable</code> for a range past the end, <code>403</code> <code>download_link_invalid</code>{" "}
        / <code>download_link_expired</code> (ask <code>check</code> again), <code>409</code>{" "}
        <code>rollout_paused</code> / <code>rollout_rolled_back</code>. The response carries{" "}
        <code>x-checksum-sha256</code>, <code>x-signature-ed25519</code> and <code>x-key-id</code>. Serving the last
        byte counts the robot as <code>downloaded</code>.
      </p>
      <ul>
        <li>
          The file is streamed from storage as the robot reads it: a slow robot slows only its own download, and many
          robots fetching a large bundle at once do not grow the server&apos;s memory.
        </li>
        <li>
          <code>HEAD</code> answers the headers a <code>GET</code> would, with <code>Content-Length</code> (size a
          download from it); <code>Range</code> applies to <code>GET</code> only. A multi-part <code>Range</code>, or
          one in another unit, gets the whole file.
        </li>
        <li>
          The <code>ETag</code> is the bundle&apos;s SHA-256 in quotes; <code>Last-Modified</code> is when the build
          finished. <code>If-None-Match</code> (or <code>If-Modified-Since</code>) matching answers <code>304</code>{" "}
          without a body. To resume safely, send <code>If-Range: &quot;&lt;etag&gt;&quot;</code> with the{" "}
          <code>Range</code>: if the file is no longer the one you started, the answer is <code>200</code> with the
          whole file instead of a <code>206</code> you would splice onto the wrong bytes. <code>If-Match</code> /{" "}
          <code>If-Unmodified-Since</code> that no longer hold answer <code>412</code> <code>precondition_failed</code>.
        </li>
      </ul>
      <h2 id="index">GET /api/ota/&#123;device_id&#125;/registry.json</h2>
      <pre>
        <code>{INDEX}</code>
      </pre>
      <ul>
        <li>
          Exactly the format the field runtime reads: <code>Content-Type: application/json</code>, plain versions, a{" "}
          <code>sha256:</code> checksum and a base64 Ed25519 signature over the bundle bytes.
        </li>
        <li>
          It lists the one bundle that robot&apos;s cohort should run — the canary if the robot is inside it, else
          production — under the model id the runtime looks up: <code>seed</code> (the runtime&apos;s default), or the
          value of <code>?model_id=</code>. With nothing to offer it is{" "}
          <code>&#123;&quot;models&quot;: &#123;&#125;&#125;</code>.
        </li>
        <li>
          The robot&apos;s installed version is taken from its last heartbeat, else from the newest bundle it
          downloaded; unknown counts as 0.0.0, as the runtime does, so a bundle with a <code>requires_version</code> is
          listed only once the platform knows the robot satisfies it.
        </li>
        <li>
          Timestamps (<code>created_at</code>, <code>download_url_expires_at</code>) end in <code>+00:00</code>, never{" "}
          <code>Z</code>: the updater parses <code>created_at</code> with Python&apos;s{" "}
          <code>datetime.fromisoformat</code>, which accepts <code>Z</code> only from Python 3.11, and robot images on
          Python 3.10 (Ubuntu 22.04) would otherwise see no update.
        </li>
        <li>
          A device id nobody registered gets the same answer as a robot with nothing to install (200,{" "}
          <code>&#123;&quot;models&quot;: &#123;&#125;&#125;</code>, same headers), so the index cannot be used to find
          registered device ids. Polls are limited to 240 an hour per device id.
        </li>
      </ul>
      <h3 id="field-robot">Pointing a field robot at its index</h3>
      <ol>
        <li>Register the robot (provisioning token and device key) so the platform knows its device id and model.</li>
        <li>
          Point the updater at the robot&apos;s own index with <code>CONTINUON_MODEL_REGISTRY_URL</code> (in the
          environment of the runtime&apos;s service; the updater&apos;s constructor argument does the same), and write
          the platform&apos;s public key as 32 raw bytes to <code>&lt;config_dir&gt;/keys/model_signing.pub</code> (
          <code>&lt;config_dir&gt;</code> is the runtime&apos;s configuration folder). The updater has no{" "}
          <code>update_url</code> setting, and it reads the key file as raw bytes: the base64 text of{" "}
          <code>?format=base64</code> in that file is a wrong key.
        </li>
      </ol>
      <pre>
        <code>{FIELD}</code>
      </pre>
      <p>
        Fetch the key again after a key rotation (see <Link href="/docs/ota#keys">OTA</Link>); bundles signed before the
        rotation still verify with the older keys listed by <code>/api/ota/public-key</code>.
      </p>
      <p id="field-signature">
        <strong>The field updater does not check signatures today.</strong> It imports{" "}
        <code>nacl.exceptions.BadSignature</code>, which PyNaCl calls <code>BadSignatureError</code>, so its signature
        check is skipped even with the key in place. What protects those robots is the platform&apos;s side: the index
        is served over HTTPS with the bundle&apos;s SHA-256 <code>checksum</code>, which the updater does check before
        unpacking; the download link is bound to that bundle and robot and expires after an hour; and every bundle is
        signed when it is built and can be verified against the published key (console &quot;Verify&quot;,{" "}
        <Link href="/docs/ota/bundle-format#signature">ota_verify.py</Link>). Install the key file anyway: the check
        applies as soon as the updater&apos;s import is fixed.
      </p>
      <p>
        The runtime polls every 24 hours (or on demand), compares <code>latest_version</code> with its installed{" "}
        <code>manifest.json</code>, checks <code>min_brain_version</code>, downloads, checks checksum and signature,
        unpacks, swaps <code>current/</code> and <code>rollback/</code>, and rolls back on failure (the signature check
        is skipped today, see <a href="#field-signature">above</a>). It never reports; the platform counts it through
        its downloads. A fleet rollback cannot move such a robot to an older version (see{" "}
        <Link href="/docs/ota/rollouts#rollback">Rollback</Link>).
      </p>
      <h2 id="keys">Public key</h2>
      <p>
        <code>GET /api/ota/public-key</code> (JSON: current key, JWK, older keys), <code>?format=raw</code> (32 bytes),{" "}
        <code>?format=base64</code>; <code>GET /.well-known/ota-keys.json</code> (JWK Set). See{" "}
        <Link href="/docs/ota/bundle-format#signature">Checksum and signature</Link>.
      </p>
    </>
  );
}
