import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "OTA updates" };

export default function OtaOverview() {
  return (
    <>
      <h1>OTA updates</h1>
      <p>
        Trained models reach robots as <strong>signed bundles</strong> in <strong>staged rollouts</strong>. An operator
        builds a bundle from a production model, stages it, approves a canary for a share of the fleet, raises the share
        in steps and approves production. Robots that report failures pause the rollout by themselves; a rollback puts
        the previous bundle back on the robots that took the bad one.
      </p>
      <ol>
        <li>
          <strong>Build.</strong> In the console (<em>OTA updates → Build a bundle</em>) pick a production model and a
          version. The platform streams the model files into a <code>tar.gz</code> with a <code>manifest.json</code> at
          its root, hashes it, signs the whole file with its Ed25519 OTA key and stores it at{" "}
          <code>bundles/ota/&#123;robot_model&#125;/&#123;version&#125;.bundle</code>. A version is never used twice for
          a robot model. See <Link href="/docs/ota/bundle-format">Bundle format and verification</Link>.
        </li>
        <li>
          <strong>Stage, approve, raise, promote.</strong> Each forward step is an approval recorded with who and when.
          See <Link href="/docs/ota/rollouts">Rollouts</Link>.
        </li>
        <li>
          <strong>Robots update.</strong> Robots with a device key ask <code>GET /api/ota/check</code> (signed); robots
          running the field runtime poll their <code>registry.json</code> index with a plain GET. Both get only what
          their cohort may take. See <Link href="/docs/ota/robot-api">OTA endpoints for robots</Link>.
        </li>
      </ol>
      <h2 id="build-states">Build states</h2>
      <p>A build runs in the background and the bundle page shows where it is:</p>
      <ul>
        <li>
          <strong>queued</strong> — waiting for the builder.
        </li>
        <li>
          <strong>building N %</strong> — streaming, hashing and signing; from the second try on the page says{" "}
          <em>attempt N of 5</em> and why the previous one ended.
        </li>
        <li>
          <strong>retrying</strong> — an attempt failed (the error is shown); it is tried again after a back-off of 5 s,
          doubling each time.
        </li>
        <li>
          <strong>failed</strong> — the error and the attempt it ended on. A refusal (a model file changed or went
          missing) fails at once; other errors after five attempts. <em>Retry build</em> (operators,{" "}
          <code>POST /api/console/ota/bundles/&#123;bundle_id&#125;/retry-build</code>, audited as{" "}
          <code>bundle.build_retry</code>) builds the same version again with five new attempts; on a build that has not
          failed it answers <code>409 build_not_failed</code> and changes nothing.
        </li>
        <li>
          <strong>signed</strong> — ready to stage.
        </li>
      </ul>
      <p>
        A build holds a short lease (30 s, <code>CONTINUON_WORK_LEASE_S</code>) that its server renews every 10 s while
        it works. When that server dies mid-build, another server — or the same one restarted — takes the build over
        within a minute as the next attempt and deletes the dead attempt&apos;s temporary file; when that was the fifth
        attempt the build is failed with the reason instead (audited as <code>bundle.build_failed</code>). Nothing is
        published before the signature verifies, so a half-built bundle never reaches a robot.
      </p>
      <h2 id="keys">The signing key</h2>
      <p>
        Bundles are signed with one Ed25519 key per deployment. Its public half is published three ways: raw (32 bytes)
        at{" "}
        <Link prefetch={false} href="/api/ota/public-key?format=raw">
          /api/ota/public-key?format=raw
        </Link>
        , as standard base64 at{" "}
        <Link prefetch={false} href="/api/ota/public-key?format=base64">
          /api/ota/public-key?format=base64
        </Link>
        , and as a JWK Set at{" "}
        <Link prefetch={false} href="/.well-known/ota-keys.json">
          /.well-known/ota-keys.json
        </Link>
        . Every bundle records the <code>key_id</code> it was signed with.
      </p>
      <ul>
        <li>
          On the embedded default the key is generated on first start and kept in <code>secrets.json</code> of the data
          folder (mode 0600). In the cloud it comes from Secret Manager as <code>OTA_SIGNING_KEY</code> (PKCS#8 PEM, or
          the PEM in base64) with an optional <code>OTA_SIGNING_KEY_ID</code>.
        </li>
        <li>
          <strong>Rotation keeps old bundles verifiable.</strong> Move the old public key into{" "}
          <code>OTA_PREVIOUS_PUBLIC_KEYS</code> (JSON: key id → raw base64) and install the new private key; on the
          embedded default run <code>npm run ota:rotate-key</code>, which does both in <code>secrets.json</code>. New
          bundles are signed with the new key; older ones still verify (the JWK Set lists both) and are still offered. A
          bundle whose key is no longer published is never offered.
        </li>
        <li>Robots should trust the keys they were provisioned with, not keys fetched at update time.</li>
      </ul>
      <h2 id="who">Who does what</h2>
      <table>
        <thead>
          <tr>
            <th>Role</th>
            <th>OTA</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>owner</td>
            <td>Sees which bundle each of their robots runs and what it was last offered.</td>
          </tr>
          <tr>
            <td>operator, admin</td>
            <td>Build bundles, stage, approve, raise, pause, resume, roll back, change a rollout&apos;s policy.</td>
          </tr>
          <tr>
            <td>robot</td>
            <td>Checks for updates, downloads through signed links, reports what happened.</td>
          </tr>
        </tbody>
      </table>
    </>
  );
}
