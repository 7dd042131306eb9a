import type { Metadata } from "next";

export const metadata: Metadata = { title: "Bundle format and verification" };

const MANIFEST = `{
  "format": "continuon-ota-bundle/1",
  "bundle_id": "companion-v1@1.1.0",
  "version": "1.1.0",
  "model_name": "seed",
  "model_version": "1.1.0",
  "robot_model": "companion-v1",
  "created_at": "2026-06-01T12:00:00.000Z",
  "requires_version": ">=1.0.0",
  "min_brain_version": "0.0.0",
  "release_notes": "Smoother grasping",
  "files": [
    { "path": "CHECKSUMS.sha256", "sha256": "9f2c…", "size_bytes": 150 },
    { "path": "config/model_config.json", "sha256": "1b7e…", "size_bytes": 412 },
    { "path": "seed_model.npz", "sha256": "c0ff…", "size_bytes": 5242880 }
  ],
  "required_files": ["seed_model.npz", "config/model_config.json"],
  "provenance": {
    "model_id": "mdl_…",
    "training_job_id": "job_…",
    "dataset_hash": "6a1f…",
    "episode_count": 1200,
    "model_storage_ref": "models/production/companion-v1/v1.1.0/",
    "built_by": "<operator uid>"
  },
  "signing": { "algorithm": "Ed25519", "key_id": "ota-3f9a…", "covers": "the whole bundle file (detached signature)" }
}`;

const NODE = `# Node.js 18+, no npm install: copy tools/ota-verify/ota-verify.mjs to the robot
curl -s https://continuon.cloud/api/ota/public-key?format=base64 > ota.pub   # do this once, at provisioning
node ota-verify.mjs companion-v1-1.1.0.bundle \\
  --checksum sha256:<hex from /api/ota/check> \\
  --signature <base64 from /api/ota/check> \\
  --public-key @ota.pub --extract ./staging

# or straight from the robot's index, exactly as the field runtime reads it
node ota-verify.mjs --index https://continuon.cloud/api/ota/14d4b680/registry.json --public-key @ota.pub`;

const PYTHON = `# Python 3 with the cryptography package (Debian: apt install python3-cryptography)
python3 ota_verify.py companion-v1-1.1.0.bundle --signature <base64> --public-key @ota.pub \\
  --checksum sha256:<hex> --extract ./staging`;

const OPENSSL = `# OpenSSL 3, by hand
curl -s https://continuon.cloud/api/ota/public-key?format=raw > ota.raw           # 32 bytes
( printf '\\x30\\x2a\\x30\\x05\\x06\\x03\\x2b\\x65\\x70\\x03\\x21\\x00'; cat ota.raw ) \\
  | openssl pkey -pubin -inform DER -out ota.pem                                  # raw key → SPKI PEM
echo '<base64 signature>' | base64 -d > bundle.sig
sha256sum companion-v1-1.1.0.bundle                                               # compare with the checksum
openssl pkeyutl -verify -pubin -inkey ota.pem -rawin -in companion-v1-1.1.0.bundle -sigfile bundle.sig
mkdir staging && tar -xzf companion-v1-1.1.0.bundle -C staging --no-same-owner && (cd staging && sha256sum -c CHECKSUMS.sha256)`;

const RESULT = `{
  "ok": true,
  "step": "done",
  "file": "companion-v1-1.1.0.bundle",
  "version": "1.1.0",
  "sha256": "sha256:3b5d…",
  "size_bytes": 5243904,
  "files": ["manifest.json", "CHECKSUMS.sha256", "config/model_config.json", "seed_model.npz"]
}`;

export default function BundleFormat() {
  return (
    <>
      <h1>Bundle format and verification</h1>
      <p>
        A bundle is one <code>tar.gz</code> file. Its root holds <code>manifest.json</code> and the model files, in the
        layout the robot runtime in the field expects. The platform signs the whole file; robots check the checksum and
        the signature before they unpack anything.
      </p>
      <h2 id="layout">Layout</h2>
      <table>
        <thead>
          <tr>
            <th>Path</th>
            <th>What</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code>manifest.json</code>
            </td>
            <td>
              First entry. Version, model, robot model, every other file with its SHA-256 and size, required files,
              provenance.
            </td>
          </tr>
          <tr>
            <td>
              <code>CHECKSUMS.sha256</code>
            </td>
            <td>
              <code>sha256sum</code> format, so <code>sha256sum -c CHECKSUMS.sha256</code> works in the unpacked folder.
            </td>
          </tr>
          <tr>
            <td>
              <code>config/model_config.json</code>
            </td>
            <td>The model&apos;s configuration; generated from the model record when the model folder has none.</td>
          </tr>
          <tr>
            <td>
              <code>seed_model.npz</code>, <code>model.npz</code>, …
            </td>
            <td>
              The model files, exactly as stored under the model&apos;s folder (a model without a weights file — npz,
              pkl, pt, onnx, tflite, safetensors, … — cannot be bundled).
            </td>
          </tr>
        </tbody>
      </table>
      <p>
        Entries are regular files and folders only (no links), with owner 0, mode 0644 and the bundle&apos;s creation
        time, so the same model and version always give the same bytes and the same signature.
      </p>
      <h2 id="manifest">manifest.json</h2>
      <pre>
        <code>{MANIFEST}</code>
      </pre>
      <ul>
        <li>
          <code>version</code> is always a plain <code>MAJOR.MINOR.PATCH</code> above 0.0.0: the field runtime reads
          anything else (<code>v1.0.1</code>, <code>1.0.0-rc1</code>) as 0.0.0, so the platform refuses to build it. A
          version is never reused for a robot model, even after a rollback.
        </li>
        <li>
          <code>requires_version</code> is a range (npm semver syntax) over the version the robot runs; a robot outside
          it is not offered the bundle. <code>min_brain_version</code> is the lowest robot runtime version that can run
          it.
        </li>
        <li>
          <code>provenance</code> ties the bundle to its model, training job and the hash of the episode set it was
          trained on.
        </li>
      </ul>
      <h2 id="signature">Checksum and signature</h2>
      <ul>
        <li>
          <strong>Checksum</strong>: SHA-256 of the whole bundle file, written <code>sha256:&lt;hex&gt;</code> (robots
          may drop the prefix).
        </li>
        <li>
          <strong>Signature</strong>: a detached Ed25519 signature (RFC 8032, pure Ed25519 — not Ed25519ph) over the
          whole bundle file, 64 bytes in standard base64. It is served with the checksum by <code>/api/ota/check</code>,
          in <code>registry.json</code>, and as <code>x-signature-ed25519</code> on the download.
        </li>
        <li>
          <strong>Public key</strong>: 32 raw bytes (<code>/api/ota/public-key?format=raw</code>), standard base64 (
          <code>?format=base64</code>) or a JWK Set (<code>/.well-known/ota-keys.json</code>). The bundle&apos;s{" "}
          <code>key_id</code> says which key signed it; after a key rotation older keys stay in the set.
        </li>
      </ul>
      <p>
        The platform signs while streaming (pure Ed25519 reads the message twice through SHA-512, which streams), then
        verifies the signature before it stores the bundle, and verifies the stored file again before the first robot is
        offered it.
      </p>
      <h2 id="verify">Verification recipe</h2>
      <p>
        <code>tools/ota-verify/</code> in the repository holds two standalone scripts that check a bundle the way a
        robot should: checksum, Ed25519 with the raw public key, a safe unpack (no absolute paths, no <code>..</code>,
        no links or devices, size limits), <code>manifest.json</code> at the root, every listed file&apos;s SHA-256 and
        size, every required file present.
      </p>
      <pre>
        <code>{NODE}</code>
      </pre>
      <pre>
        <code>{PYTHON}</code>
      </pre>
      <p>
        Both print one JSON object and exit 0 when the bundle verifies, 1 when it does not (the failing step is named),
        2 on a usage error:
      </p>
      <pre>
        <code>{RESULT}</code>
      </pre>
      <p>The same checks with stock tools:</p>
      <pre>
        <code>{OPENSSL}</code>
      </pre>
      <p>
        After verifying, install the way the field runtime does: move <code>current/</code> to <code>rollback/</code>,
        the unpacked bundle to <code>current/</code>, check <code>manifest.json</code> and <code>required_files</code>,
        and move <code>rollback/</code> back on any failure.
      </p>
    </>
  );
}
