import type { Metadata } from "next";
import Link from "next/link";
import { MAX_UPLOAD_FILES, UPLOAD_URL_TTL_S } from "@/lib/episodes/request-episode-upload";
import { DEFAULT_LIMITS } from "@/lib/rlds/limits";
import { ARCHIVE_FLOW, JSON_PUT_FLOW, LIST, SIGN_FUNCTION, XR_FLOW } from "./examples";

export const metadata: Metadata = { title: "Uploading episodes" };

const SIGNED_URL = `POST /api/rlds/signed-url                                   (signed robot request)
{"robot_id": "14d4b680", "episode_id": "ep_1704384000000",
 "metadata": {"duration_ms": 30000, "step_count": 300},
 "format": "tar.gz",                    // tar.gz (default) | zip | json | tfrecord (plain or gzip) | files
 "size_bytes": 1843200}                 // optional: the URL then takes nothing larger

200 {"episode_id": "ep_1704384000000",
     "episode_ref": "episodes/raw/14d4b680/ep_1704384000000",
     "format": "tar.gz",
     "upload_url": "https://storage.googleapis.com/…/episodes/raw/14d4b680/ep_1704384000000/episode.tar.gz?X-Goog-Signature=…",
     "method": "PUT",
     "headers": {"content-type": "application/gzip", "x-goog-content-length-range": "0,1843200"},
     "max_size_bytes": 1843200,
     "expires_at": "2026-01-04T10:00:00.000Z",
     "uploads": [],
     "ingest_url": "https://continuon.cloud/api/rlds/ingest",
     "auto_ingest_after_s": null}`;

const FILES = `POST /api/rlds/signed-url
{"robot_id": "14d4b680", "episode_id": "ep_big", "format": "files",
 "files": [{"path": "metadata.json", "size_bytes": 412, "sha256": "9f86…"},
           {"path": "steps/000000.jsonl", "size_bytes": 81234567, "sha256": "60303a…"},
           {"path": "blobs/rgb/frame_000000.png", "size_bytes": 5120, "sha256": "b1946a…"}]}

200 {"upload_url": null, "uploads": [{"path": "metadata.json", "upload_url": "…", "method": "PUT",
                                      "headers": {"content-type": "application/json"}, "max_size_bytes": 412}, …], …}

# the ingest checksum of a files upload: SHA-256 over the sorted sha256sum lines
(cd ep_big && find . -type f | sed 's|^\\./||' | LC_ALL=C sort | while read -r f; do sha256sum "$f"; done) | sha256sum`;

const INGEST = `POST /api/rlds/ingest                                       (signed robot request)
{"episode_ref": "episodes/raw/14d4b680/ep_1704384000000",  // or "episode_id"
 "checksum": "sha256:3b5d…",                                // of the uploaded object; bare hex accepted
 "manifest_signature": "eyJhbGciOiJFZERTQSIs…"}             // optional, see below

200 {"status": "validated",                // or "rejected" (the episode is then in quarantine)
     "episode_id": "ep_1704384000000",
     "training_eligible": true,
     "episode_ref": "episodes/raw/14d4b680/ep_1704384000000",
     "checksum": "sha256:3b5d…", "size_bytes": 1843200, "format": "tar.gz", "variant": "rlds_v1",
     "quality": {"score": 0.9, "flags": ["gaps"]},
     "stats": {"step_count": 300, "duration_ms": 29967, "action_dim": 7, "observation_keys": ["gaze", …], "reward_sum": -12.5},
     "errors": [],
     "warnings": [{"code": "timestamp_gap", "message": "step 120: …", "step": 120, "field": "observation.robot_state.timestamp_nanos", "line": null, "file": null}],
     "issue_counts": {"timestamp_gap": 2},
     "storage_ref": "episodes/validated/14d4b680/ep_1704384000000/",
     "device_signature_verified": false}`;

const MANIFEST = `header  {"alg": "EdDSA", "typ": "rlds-manifest+jwt", "kid": "14d4b680"}
payload {"iss": "14d4b680", "episode_id": "ep_1704384000000",
         "checksum": "sha256:3b5d…",                        // the ingest checksum
         "files": {"metadata.json": "9f86…", …},              // optional, files uploads only: exactly the declared files
         "iat": 1767520800}
signature: Ed25519 with the device key, as a compact JWS (any JOSE library: jose, PyJWT, josepy)`;

const ROUTES: [string, string, string, string][] = [
  [
    "POST /api/rlds/signed-url",
    "robot",
    "200 upload grant; the episode document is created raw (upload pending)",
    "400 invalid_input, invalid_episode_id, path_traversal / absolute_path / backslash_path / invalid_path / duplicate_entry (files) · 401 signature_* · 403 robot_mismatch · 409 episode_id_taken, episode_already_validated, ingest_in_progress · 413 episode_too_large · 507 storage_quota_exceeded",
  ],
  [
    "PUT {upload_url}",
    "whoever holds the URL",
    "200 {key, size, etag}; may be repeated until ingest",
    "403 signed_url_invalid, signed_url_expired · 409 upload_closed (ingest claimed the upload; nothing stored) · 413 body_too_large (nothing stored) · 415 content_type_mismatch",
  ],
  [
    "POST /api/rlds/ingest",
    "robot",
    "200 verdict: validated or rejected with errors and warnings (ingest_failed after three failed attempts)",
    "503 ingest_failed (the attempt failed, not the episode; with Retry-After) · 400 invalid_input, invalid_checksum, invalid_episode_ref, invalid_episode_id, manifest_signature_malformed, manifest_signature_invalid, manifest_mismatch · 401 signature_* · 403 robot_mismatch (an episode_ref of another robot) · 404 episode_not_found · 409 upload_missing, upload_incomplete, checksum_conflict, ingest_in_progress (with Retry-After)",
  ],
  [
    "POST /api/rlds/upload",
    "robot (XR app)",
    "200 verdict of the same ingest",
    "400 digest_missing, invalid_episode_id · 401 digest_mismatch · 409 episode_id_taken, checksum_conflict, ingest_in_progress · 413 body_too_large, episode_too_large · 507 storage_quota_exceeded",
  ],
  [
    "PUT /api/rlds/upload/{episode_id}",
    "robot (Flutter flow)",
    "200 {episode_id, size_bytes, puts, ingest_after}",
    "401 digest_mismatch · 404 episode_not_found · 409 not_a_direct_upload, upload_closed · 413 body_too_large · 415 content_type_mismatch",
  ],
  [
    "GET /api/rlds/list?robot_id&status&limit",
    "robot (its own) or signed-in user",
    "200 {episodes[], next_cursor, partial}",
    "400 invalid_input, invalid_cursor, robot_filter_required · 401 · 403 robot_mismatch",
  ],
  [
    "GET /api/console/episodes",
    "user (owners: their robots)",
    "200 {episodes[], next_cursor, partial}; filters robot_id, robot_model, status, tag, from, to, min_quality, eligible",
    "400 invalid_input · 401",
  ],
  [
    "GET /api/console/episodes/{episode_id}",
    "user who may see it",
    "200 document, provenance, files with download links, TFRecord and ingest state",
    "404 episode_not_found",
  ],
  [
    "POST /api/console/episodes/{episode_id}/revalidate",
    "operator",
    "200 verdict (audited)",
    "403 role_required · 404 · 409 episode_not_quarantined, upload_missing, ingest_in_progress",
  ],
  [
    "DELETE /api/console/episodes/{episode_id}",
    "operator",
    "200 {deleted, blobs} (audited)",
    "403 role_required · 404 · 409 episode_not_quarantined, ingest_in_progress",
  ],
];

export default function IngestionDocs() {
  return (
    <>
      <h1>Uploading episodes</h1>
      <p>
        Robots record episodes in the RLDS layout and upload them in three steps: ask for an upload URL, PUT the bytes
        to it, ask for ingestion. Ingestion streams the upload once — recomputing its SHA-256 as it reads — unpacks it
        safely, recognises its variant, normalizes it to the canonical layout, validates it, builds the replay index,
        and either promotes it to <code>episodes/validated/</code> (then queues the TFRecord conversion) or keeps it in
        quarantine with its reasons. <Link href="/docs/formats">Accepted formats and validation rules</Link> lists what
        is checked and every error code.
      </p>
      <pre>{`robot ──POST /api/rlds/signed-url──▶ cloud      episode document created: raw, upload pending
robot ──PUT upload_url (archive)────▶ storage    episodes/raw/{robot_id}/{episode_id}/episode.tar.gz
robot ──POST /api/rlds/ingest───────▶ cloud      verdict: validated (episodes/validated/…, TFRecord queued)
                                                 or rejected (quarantine, raw kept, reasons on the document)`}</pre>

      <h2 id="curl">Try it with curl</h2>
      <p>
        Every robot request is signed (<Link href="/docs/signatures">signed robot requests</Link>). This shell function
        signs with openssl 3 and sends with curl; it is what the examples below use (they run in the test suite as
        printed).
      </p>
      <pre>{SIGN_FUNCTION}</pre>
      <p>
        Then, for an episode directory <code>$EPISODE_DIR</code> and a new id <code>$EPISODE_ID</code>:
      </p>
      <pre>{ARCHIVE_FLOW}</pre>
      <p>A robot lists its own episodes with the seed&apos;s list call:</p>
      <pre>{LIST}</pre>

      <h2 id="signed-url">1. Ask for an upload URL</h2>
      <pre>{SIGNED_URL}</pre>
      <ul>
        <li>
          <code>robot_id</code> must be the signing robot (<code>403 robot_mismatch</code>); it may be left out.
        </li>
        <li>
          Episode ids: 1–128 letters, digits, <code>_</code>, <code>-</code> or <code>.</code>, starting with a letter
          or digit, never <code>..</code>, <code>/</code> or <code>\</code> (<code>400 invalid_episode_id</code>). Ids
          are unique across robots (<code>409 episode_id_taken</code>).
        </li>
        <li>
          The URL is for exactly one object, expires within {UPLOAD_URL_TTL_S / 60} minutes, binds the content type (
          <code>application/gzip</code>, <code>application/zip</code>, <code>application/json</code>) and a maximum size
          (<code>size_bytes</code> when given). It may be PUT again — the last PUT before ingest counts. Once ingest has
          claimed the upload the URL is dead (<Link href="#upload-after-ingest">below</Link>). Asking again for an
          episode that is not validated yet gives a fresh URL; a validated episode is never replaced (
          <code>409 episode_already_validated</code>).
        </li>
        <li>
          <strong>Size cap and quota.</strong> One episode may be at most <code>EPISODE_MAX_BYTES</code> (default 4
          GiB): a larger <code>size_bytes</code> (or <code>files</code> adding up to more) is{" "}
          <code>413 episode_too_large</code>, and a URL without <code>size_bytes</code> takes up to the cap. Each robot
          may keep <code>ROBOT_STORAGE_QUOTA_BYTES</code> of episodes (default 100 GiB): the sizes of its ingested
          uploads (validated and quarantined) plus every upload URL still open, counted at its maximum. A URL that would
          pass the quota is <code>507 storage_quota_exceeded</code> and nothing is created; declaring{" "}
          <code>size_bytes</code> reserves only that, and deleting quarantined episodes frees room. The robot&apos;s
          page in the console shows what it keeps, what its open URLs may take, and its quota.
        </li>
        <li>
          <code>metadata.step_count</code> and <code>metadata.duration_ms</code> are compared with the content at ingest
          (<code>step_count_mismatch</code>, <code>duration_mismatch</code>).
        </li>
      </ul>
      <h3 id="files">Large episodes: one URL per file</h3>
      <p>
        With <code>format: &quot;files&quot;</code> the robot lists every file with its size and SHA-256 (at most{" "}
        {MAX_UPLOAD_FILES} files) and gets one URL per file in <code>uploads[]</code>, each bound to that file&apos;s
        size and type. Paths are checked like archive entries. At ingest every file is hashed as it is read and compared
        with what was declared; the ingest <code>checksum</code> is the SHA-256 of the sorted <code>sha256sum</code>{" "}
        lines:
      </p>
      <pre>{FILES}</pre>

      <h2 id="ingest">2. PUT, 3. ingest</h2>
      <pre>{INGEST}</pre>
      <ul>
        <li>
          Every error and warning names its step (0-based), field, and file and line when it is about one. A rejected
          episode answers <code>200</code> with <code>status: &quot;rejected&quot;</code>: retrying the same bytes
          cannot help.
        </li>
        <li>
          <strong>Idempotent.</strong> The same request again gets the same answer without redoing anything. Other bytes
          for a validated episode: <code>409 checksum_conflict</code>. A rejected episode may be uploaded again (ask for
          a URL again, PUT, ingest with the new checksum).
        </li>
        <li>
          Ingest before the object exists: <code>409 upload_missing</code> (files: <code>upload_incomplete</code>,
          naming the first missing file), and nothing changes.
        </li>
        <li>
          While another ingest of the same episode runs: <code>409 ingest_in_progress</code> with{" "}
          <code>Retry-After</code>. Retrying is always safe — including after a timeout or a server crash: the answer
          comes from wherever the first attempt got to (see below).
        </li>
      </ul>

      <h2 id="manifest">Device-signed manifest (optional)</h2>
      <p>
        A robot may prove that it produced the uploaded bytes itself — not just anyone holding the upload URL — by
        sending <code>manifest_signature</code>: a compact JWS signed with its device key over the ingest checksum (and,
        for files uploads, the file checksums). It is verified against the key in the registry before any work (
        <code>400 manifest_signature_invalid</code>, <code>manifest_mismatch</code>, nothing changes) and stored on the
        episode as <code>device_signature</code>.
      </p>
      <pre>{MANIFEST}</pre>

      <h2 id="field-clients">Field clients: the XR app and the Flutter app</h2>
      <p>
        <strong>XR app.</strong> One robot-signed <code>POST /api/rlds/upload</code> with the ZIP of the episode
        directory (camelCase keys are normalized) and its <code>X-Continuon-Tag-*</code> headers (<code>xr_mode</code>,{" "}
        <code>control_role</code>, <code>environment_id</code>, <code>list</code> = comma-joined tags). Each header is
        metadata: it fills the key of its name when the archive&apos;s <code>metadata.json</code> lacks it (
        <code>list</code> adds to <code>tags</code>), is written to the canonical <code>metadata.json</code>, and
        satisfies the recommended-metadata check (no <code>missing_metadata</code> warning for what a header carries).
        The ZIP is stored as the raw upload and goes through the same ingest; the answer is the verdict. The id comes
        from <code>X-Continuon-Episode-Id</code> or <code>?episode_id=</code>, else it is <code>xr_</code> + the first
        32 hex digits of the body&apos;s SHA-256, so the app&apos;s retries (three, a second apart) are the same episode
        and get the same answer.
      </p>
      <pre>{XR_FLOW}</pre>
      <p>
        <strong>Flutter app.</strong> It asks for an upload URL with <code>{`{"metadata": {…}}`}</code> only; the answer
        points at <code>PUT /api/rlds/upload/&#123;episode_id&#125;</code> on this server (robot-signed, JSON). The app
        PUTs the whole episode document, and again (up to three times) as it adds media; every PUT replaces the upload
        and moves the ingest later. Since the app never calls ingest, the cloud ingests the upload by itself once PUTs
        stop for <code>auto_ingest_after_s</code> (<code>CONTINUON_INGEST_SETTLE_S</code>, default 120 s); the robot may
        still call <code>POST /api/rlds/ingest</code> to have it at once. After ingest the upload is closed (
        <code>409 upload_closed</code>).
      </p>
      <pre>{JSON_PUT_FLOW}</pre>

      <h2 id="state-machine">What happens during ingest, and after a crash</h2>
      <p>
        The episode document carries an <code>ingest</code> state: <code>awaiting_upload</code> →{" "}
        <code>processing</code> (an attempt holds a lease, renewed while it works, and writes only to{" "}
        <code>episodes/staging/…/attempt-N/</code>) → <code>promoting</code> (the verdict is recorded; the staging files
        are copied to <code>episodes/validated/…</code>) → <code>done</code> (one commit sets <code>validated</code>,{" "}
        <code>storage_ref</code> and queues the TFRecord conversion; then staging is deleted). A rejected verdict goes
        from <code>processing</code> straight to <code>done</code> without touching <code>episodes/validated/</code>.
      </p>
      <p>
        A crash or kill at any moment leaves one of these states, and whoever comes next finishes the job: a retried
        ingest takes over a lapsed lease (<code>CONTINUON_INGEST_LEASE_S</code>, default 60 s) and starts a fresh
        attempt, or completes a promotion; a background sweep does the same for ingests nobody retries. No document says{" "}
        <code>validated</code> before all its files are in place, and nothing reads <code>episodes/validated/</code>{" "}
        except through a validated document.
      </p>

      <h3 id="ingest-failures">When ingest itself fails</h3>
      <p>
        An episode that cannot be read as one (no usable step: <code>observation</code> missing or not an object) is{" "}
        <code>rejected</code> with the reasons by step and field, like any other invalid content. So is a step nested
        deeper than {DEFAULT_LIMITS.maxStepDepth} levels (the step object is level 1): the reason is{" "}
        <code>too_deeply_nested</code>, with the step, its file and line, and the path of the first value past the limit
        as <code>field</code> (see <Link href="/docs/formats#nesting-depth">the nesting limit</Link>). Nesting of any
        depth, 100 000 levels or more, is refused this way and never walked further; so is a metadata or manifest file
        nested past the same limit. When an attempt fails for another reason (the store could not be written, a bug),
        its staging and temporary files are removed, the lease is given back and the answer is{" "}
        <code>503 ingest_failed</code> with <code>Retry-After</code>; the error is kept on the document (
        <code>ingest.last_error</code>, <code>ingest.failures</code>). Attempts that stop without a word (the server was
        killed while ingesting) count too. After three such attempts the episode is quarantined: <code>rejected</code>{" "}
        with the error <code>ingest_failed</code> naming the cause, so nothing retries it for ever and an operator can
        re-validate it once the cause is fixed, or delete it.
      </p>

      <h3 id="upload-after-ingest">Upload URLs after ingest</h3>
      <p>
        When ingest claims an upload it moves the raw object from the key the upload URLs address to{" "}
        <code>episodes/raw/&#123;robot_id&#125;/&#123;episode_id&#125;/ingested/</code>, which no upload URL reaches;
        ingest, re-validation and the quarantine download read it there. A PUT to an old URL cannot change them: the
        embedded server refuses it with <code>409 upload_closed</code> (nothing stored); Cloud Storage honours a signed
        URL until it expires, so there the bytes land under the old key, which nothing reads and the next ingest of that
        episode deletes. A rejected episode takes a new upload only through a new URL from{" "}
        <code>POST /api/rlds/signed-url</code>.
      </p>
      <p>
        A PUT that breaks off midway stores nothing and its temporary file is removed at once; temporary files a killed
        server left behind are swept once no write touched them for two hours.
      </p>

      <h2 id="after">Quarantine and TFRecord</h2>
      <ul>
        <li>
          Rejected episodes stay in <code>episodes/raw/</code> with their reasons and are listed in the console&apos;s{" "}
          <Link href="/console/episodes/quarantine">quarantine</Link>. Operators re-validate them (after a validator
          change) or delete them; both are in the audit log.
        </li>
        <li>
          Validated episodes are converted to{" "}
          <code>episodes/tfrecord/&#123;robot_id&#125;/&#123;episode_id&#125;.tfrecord</code> by a background worker
          (durable queue, retries with exponential backoff, survives restarts); the episode shows{" "}
          <code>tfrecord.state</code> <code>queued → converting → done</code> (or <code>failed</code> after the last
          attempt) and <code>tfrecord_ref</code>.
        </li>
      </ul>

      <h2 id="endpoints">Endpoints, answers and refusals</h2>
      <div className="overflow-x-auto">
        <table>
          <thead>
            <tr>
              <th>Route</th>
              <th>Who</th>
              <th>Success</th>
              <th>Refusals (status and reason)</th>
            </tr>
          </thead>
          <tbody>
            {ROUTES.map(([route, who, ok, refused]) => (
              <tr key={route}>
                <td>
                  <code>{route}</code>
                </td>
                <td>{who}</td>
                <td>{ok}</td>
                <td>{refused}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        Errors are <code>{`{"error": {"code", "message", "reason"}}`}</code>; branch on <code>reason</code>.
      </p>
    </>
  );
}
