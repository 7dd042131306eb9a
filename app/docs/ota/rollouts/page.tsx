import type { Metadata } from "next";

export const metadata: Metadata = { title: "Rollouts: stages, health, rollback" };

const MACHINE = `built ──stage (policy)──▶ staged ──approve canary p %──▶ canary ──raise to q % (q > p)──▶ canary
                            │                              │
                            └────────approve production────┴──▶ production (100 %) ──next production──▶ superseded
canary | production ──pause (operator, or the policy)──▶ paused ──resume──▶ canary | production
staged | canary | paused | production ──rollback──▶ rolled_back`;

const SIMULATOR = `DEMO_OTA_FAIL_RATE=0.4 npm run demo            # the demo fleet; 40 % of installs fail
npm run sim -- fleet --count 20 --behaviors heartbeat,ota --ota-fail-rate 0.3 --ota-every 10`;

export default function Rollouts() {
  return (
    <>
      <h1>Rollouts: stages, health, rollback</h1>
      <p>
        A bundle reaches the fleet in stages. Every forward step is an operator&apos;s approval, recorded on the bundle
        with who and when (and in the audit log); a health policy pauses the rollout by itself when robots fail; a
        rollback returns the robots that took the bundle to the previous one.
      </p>
      <h2 id="states">States</h2>
      <pre>
        <code>{MACHINE}</code>
      </pre>
      <table>
        <thead>
          <tr>
            <th>State</th>
            <th>Who is offered the bundle</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>built</td>
            <td>Nobody. Signed and stored; not yet part of a rollout.</td>
          </tr>
          <tr>
            <td>staged</td>
            <td>
              Nobody. The robot model&apos;s one rollout in flight, with its policy, waiting for a canary approval.
            </td>
          </tr>
          <tr>
            <td>canary (p %)</td>
            <td>Robots of that model inside the cohort: about p % of them.</td>
          </tr>
          <tr>
            <td>production</td>
            <td>
              Every robot of the model. The previous production bundle becomes <em>superseded</em>.
            </td>
          </tr>
          <tr>
            <td>paused</td>
            <td>Nobody new, and its download links stop working. Robots that installed it keep it.</td>
          </tr>
          <tr>
            <td>rolled_back</td>
            <td>Nobody. Robots that took it are offered the previous production bundle.</td>
          </tr>
        </tbody>
      </table>
      <ul>
        <li>
          <strong>One rollout per robot model at a time.</strong> Staging is refused (409 <code>rollout_active</code>)
          while another bundle of the model is staged, in canary or paused; promote it to production or roll it back
          first.
        </li>
        <li>
          <strong>Forward only.</strong> A staged version must be newer than the model&apos;s production version (
          <code>version_not_newer</code>): robots in the field only ever move to a higher version.
        </li>
        <li>
          <strong>Approvals.</strong> Stage, canary, each raise, production and resume are approvals: operators and
          admins only (owners get 403 <code>role_required</code>). The bundle keeps the newest 100; the audit log keeps
          all.
        </li>
        <li>
          <strong>Crash-safe.</strong> Each action is one transaction over the bundle, the model&apos;s track (its
          production and active bundle), any bundle it supersedes or restores, the audit entry and any follow-up work
          item: after a crash a rollout is before or after an action, never between.
        </li>
      </ul>
      <h2 id="cohorts">Cohorts</h2>
      <p>
        A robot&apos;s place in a rollout is fixed: the first 32 bits of SHA-256 of{" "}
        <code>&#123;bundle_id&#125;:&#123;device_id&#125;</code> modulo 10 000. It is inside a canary of p % when that
        number is below p × 100 (percentages take two decimals). So a robot inside at 10 % is still inside at 50 %,
        raising only ever adds robots (lowering is refused: <code>percentage_not_raised</code>), and each bundle picks
        different canaries. 100 % is reached only by approving production.
      </p>
      <h2 id="robot-states">Per-robot states</h2>
      <p>
        Each robot offered a bundle has a deployment record (
        <code>ota_deployments/&#123;bundle_id&#125;_&#123;device_id&#125;</code>):
      </p>
      <table>
        <thead>
          <tr>
            <th>State</th>
            <th>Set when</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>offered</td>
            <td>
              The robot was first offered the bundle: by <code>/api/ota/check</code>, or by its{" "}
              <code>registry.json</code> listing it.
            </td>
          </tr>
          <tr>
            <td>downloaded</td>
            <td>
              The robot reported <code>downloaded</code>, or the platform served it the bundle&apos;s last byte through
              its signed link (see below).
            </td>
          </tr>
          <tr>
            <td>installed</td>
            <td>
              The robot reported <code>installed</code>, or checked in with <code>current_version</code> equal to the
              bundle&apos;s version.
            </td>
          </tr>
          <tr>
            <td>failed</td>
            <td>
              The robot reported <code>failed</code> (with its error text).
            </td>
          </tr>
          <tr>
            <td>rolled_back</td>
            <td>
              The robot reported <code>rolled_back</code> (it undid the install itself — counted as a failure), or the
              rollout was rolled back (not a failure).
            </td>
          </tr>
        </tbody>
      </table>
      <p>
        Reports that would move a robot backwards (a late <code>downloaded</code> after <code>installed</code>) change
        nothing, and repeats are answered with the current state. A robot that failed and then installed on a retry
        counts as installed.
      </p>
      <h3 id="downloaded">How a robot that never reports shows up</h3>
      <p>
        The robot runtime in the field never reports. Its download link is not a storage link: it is the platform&apos;s
        own short-lived signed URL (<code>/api/ota/download?bundle_id=…&amp;device=…&amp;expires=…&amp;sig=…</code>, an
        HMAC over bundle, robot and expiry, valid one hour) that streams the file from storage, with <code>Range</code>{" "}
        for resumed downloads. When a response carries the file&apos;s last byte — a whole download, or the final range
        of a resumed one — the robot&apos;s deployment becomes <code>downloaded</code> and its fetch count grows; the
        record is written before that last byte is sent. A later <code>registry.json</code> poll then takes that version
        as the one the robot runs.
      </p>
      <h2 id="health">Health policy and automatic pause</h2>
      <p>Each rollout has a policy, set when it is staged and editable while it runs:</p>
      <table>
        <thead>
          <tr>
            <th>Field</th>
            <th>Default</th>
            <th>Meaning</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code>error_threshold_pct</code>
            </td>
            <td>20</td>
            <td>Pause when the failure rate is above this percentage.</td>
          </tr>
          <tr>
            <td>
              <code>min_sample</code>
            </td>
            <td>5</td>
            <td>Only once at least this many robots reported an outcome.</td>
          </tr>
          <tr>
            <td>
              <code>auto_pause</code>
            </td>
            <td>on</td>
            <td>Off: the rate is shown, the operator decides.</td>
          </tr>
        </tbody>
      </table>
      <p>
        Failure rate = robots whose last outcome is a failure ÷ robots with an outcome (installed or failed), counting
        from the last resume. <code>deployed_count</code> and <code>error_count</code> on the bundle are those two
        numbers; they change in the same transaction as the robot&apos;s deployment, as increments, so concurrent
        reports cannot lose counts. The check runs after every outcome and once a minute for every canary and production
        rollout. When it trips, the rollout goes to <em>paused</em> by the system actor <code>ota-policy</code>, and the
        console shows why, for example:{" "}
        <em>
          Paused automatically: 4 of 10 robots reported a failure (40 %), above the 20 % threshold (applies from 10
          reports).
        </em>
      </p>
      <p>
        The rule follows AWS IoT Jobs&apos; abort criteria (a failure percentage that applies only after a minimum
        number of robots finished) and Eclipse hawkBit&apos;s error threshold — but it pauses instead of cancelling,
        like hawkBit&apos;s pause action, so a person decides between resume and rollback. Resuming is an approval; the
        policy then judges the outcomes after the resume, not the failures that caused the pause.
      </p>
      <h2 id="rollback">Rollback</h2>
      <ul>
        <li>
          Rolling back a canary (or a paused canary) leaves the production bundle as it is; rolling back the production
          bundle makes the previous production bundle production again.
        </li>
        <li>
          The rolled-back version joins the model&apos;s list of rolled-back versions: a robot that checks in running it
          is offered the production bundle with <code>&quot;rollback&quot;: true</code>, although its version is older.
          Robots that never took the bundle are not touched.
        </li>
        <li>
          The deployments of the rolled-back bundle become <code>rolled_back</code> in the background (a work item
          written with the rollback; it resumes after a crash).
        </li>
        <li>
          Refused with 409 <code>no_previous_bundle</code> when there is nothing to return to (the first bundle of a
          robot model): pause it instead, or build a fixed version. A staged bundle can always be withdrawn.
        </li>
        <li>
          Robots on the field runtime only move to a higher version, so they cannot be sent back to an older one through
          their index. Roll forward instead: build the previous model again as a new, higher version.
        </li>
      </ul>
      <h2 id="simulator">Watch it with simulated robots</h2>
      <p>
        The simulator&apos;s <code>ota</code> behaviour does what a robot maker&apos;s code should: it checks, downloads
        through the signed link, verifies the checksum and the Ed25519 signature with the raw public key, checks that{" "}
        <code>manifest.json</code> is at the archive&apos;s root, installs and reports each step. A flag makes a fixed
        share of the robots fail their install, so the automatic pause can be watched:
      </p>
      <pre>
        <code>{SIMULATOR}</code>
      </pre>
      <h2 id="console">In the console</h2>
      <p>
        <em>OTA updates</em> lists bundles and each robot model&apos;s production and in-flight versions. A
        bundle&apos;s page has the rollout buttons (each behind a confirmation that says what will happen), live counts
        and a chart of robots per state over time, the per-robot table, the manifest, files, signature (with a{" "}
        <em>Verify now</em> check of the stored file), provenance links to the model, its training job and its episodes,
        the approvals and the audit trail. Owners see which bundle each of their robots runs.
      </p>
    </>
  );
}
