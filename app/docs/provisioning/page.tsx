import type { Metadata } from "next";
import Link from "next/link";
import { API_EXAMPLES, httpText, pretty } from "../robot-api/examples";

export const metadata: Metadata = { title: "Provisioning a robot" };

const register = API_EXAMPLES.find((example) => example.id === "register");

export default function Provisioning() {
  return (
    <>
      <h1>Provisioning a robot</h1>
      <p>
        A robot joins a deployment in three steps: an admin makes a <strong>provisioning token</strong> for its model,
        the robot <strong>registers</strong> its own Ed25519 key with that token, and its owner <strong>claims</strong>{" "}
        it with a proof the robot signs after pairing in person. Registering never makes anyone an owner.
      </p>
      <h2 id="token">1. Create a provisioning token (admin)</h2>
      <p>
        In the console, <Link href="/console/admin/provisioning">Admin → Provisioning tokens</Link>: choose the robot
        model (the model segment of its RURI, e.g. <code>companion-v1</code>), optionally a manufacturer, an expiry and
        a use limit. One token provisions many robots. The token is shown once; only its SHA-256 is stored. The same
        over the API (admin session):
      </p>
      <pre>
        <code>{`POST /api/console/provisioning-tokens
{"model": "companion-v1", "label": "Lab fleet", "expires_at": "2026-07-01T00:00:00Z", "max_uses": 50}

201 {"token": "cpt_…", "token_id": "<sha-256 hex>", "state": "active", "use_count": 0, …}`}</code>
      </pre>
      <p>
        Revoke a token when a batch is done or a token leaks (
        <code>POST /api/console/provisioning-tokens/&#123;token_id&#125;/revoke</code>): robots already registered keep
        working, new registrations with it are refused.
      </p>
      <h2 id="identity">2. On the robot: an identity</h2>
      <p>The robot generates its key pair once and keeps it, like an SSH host key:</p>
      <pre>
        <code>{`<identity folder>/            mode 0700
  identity.json   {"ruri": "rcan://continuon.cloud/continuon/companion-v1/14d4b680", "device_id": "14d4b680", "public_key": "<base64url, 32 bytes>"}
  device_key.pem  Ed25519 private key, PKCS#8 PEM, mode 0600`}</code>
      </pre>
      <p>
        The RURI is <code>rcan://&lt;registry&gt;/&lt;manufacturer&gt;/&lt;model&gt;/&lt;device_id&gt;</code>; the
        device id is 8 lowercase hex digits or a UUID and must be unique. A robot that loses its key needs an admin to
        reset it and hand it a re-enrolment token (<Link href="#reset">below</Link>) before it can register a new one.
      </p>
      <h2 id="register">3. Register</h2>
      {register && (
        <>
          <p>{register.note}</p>
          <pre>
            <code>{httpText(register)}</code>
          </pre>
          <pre>
            <code>{`${register.status} ${pretty(register.response).slice(0, 400)}\n  …`}</code>
          </pre>
        </>
      )}
      <p>
        Then heartbeat every <code>next_heartbeat_s</code> seconds (
        <Link href="/docs/robot-api#heartbeat">Robot API</Link>
        ). Every request is signed: see <Link href="/docs/signatures">Signed robot requests</Link>.
      </p>
      <h2 id="claim">4. The owner claims it</h2>
      <p>
        The owner opens <Link href="/console/claim">Claim a robot</Link>, which shows their user id; the robot signs a
        claim proof for that id after in-person pairing (<Link href="/docs/signatures#claim-proof">format</Link>); the
        owner pastes it. The robot then shows in their fleet, live.
      </p>
      <h2 id="reset">Key reset and re-enrolment</h2>
      <p>
        When a robot&apos;s key is lost, compromised or the robot was re-flashed, an admin opens the robot&apos;s page
        and presses <em>Reset key</em> (or <code>POST /api/console/robots/&#123;device_id&#125;/reset-key</code>{" "}
        <code>{`{"reason": "re-flashed"}`}</code>). From then on:
      </p>
      <ul>
        <li>every request signed with the old key is refused;</li>
        <li>
          the answer carries a one-time <strong>re-enrolment token</strong> (<code>cre_…</code>), shown once, bound to
          that device id, valid for 72 hours; only its SHA-256 is stored. A provisioning token no longer registers that
          device id (<code>403 reenrolment_required</code>), so whoever holds a token for the model cannot take the
          robot&apos;s identity;
        </li>
        <li>
          the admin hands the token to the real robot, which registers its new key with it instead of a provisioning
          token: <code>{`{"reenrolment_token": "cre_…", "ruri": …, "public_key": …}`}</code>. The token works once; a
          wrong, used, expired or replaced token, or one for another device id, is{" "}
          <code>403 reenrolment_token_invalid</code>. Lost it? Reset again: a new token replaces the old one;
        </li>
        <li>
          re-enrolling <strong>ends the robot&apos;s ownership</strong>: it comes back unclaimed and its owner pairs
          with it in person and claims it again with a proof signed by the new key (<Link href="#claim">step 4</Link>).
          Until then its episodes are visible to operators and admins only;
        </li>
        <li>
          the audit log says what happened: <code>robot.key_reset</code> (admin, reason, owner, token hint and expiry)
          and <code>robot.reenrol</code> (new key fingerprint, previous owner, <code>ownership_ended</code>); the
          robot&apos;s key history lists <em>Reset</em> and <em>Re-enrolled</em>.
        </li>
      </ul>
      <pre>
        <code>{`POST /api/console/robots/14d4b680/reset-key        (admin session)
{"reason": "re-flashed"}

200 {"robot": {…, "public_key": null, "reenrolment_expires_at": "…"},
     "reenrolment_token": "cre_…", "reenrolment_expires_at": "…"}

npm run sim -- register --reenrolment-token cre_… --dir .data/simulator/robot --url http://localhost:3000`}</code>
      </pre>
      <h2 id="simulator">With the simulator</h2>
      <p>
        The simulator keeps identity folders like real robots and signs every request with the same client the tests
        use. The server URL must be the deployment&apos;s <code>PUBLIC_URL</code> (it is part of every signature).
      </p>
      <pre>
        <code>{`npm run sim -- register --token cpt_… --dir .data/simulator/robot --url http://localhost:3000
npm run sim -- register --reenrolment-token cre_… --dir .data/simulator/robot   # after an admin's key reset
npm run sim -- heartbeat --dir .data/simulator/robot          # one heartbeat (--loop to keep going)
npm run sim -- claim --user <your uid> --dir .data/simulator/robot   # prints a claim proof
npm run sim -- fleet --count 5 --token cpt_…                   # five robots that register and heartbeat
npm run demo                                                    # the server plus a small fleet, provisioned for you`}</code>
      </pre>
      <p>
        <code>npm run demo</code> provisions its fleet without an admin session: it opens the embedded store of its data
        folder and creates a token through the same domain verb, as the system (the audit log shows{" "}
        <code>system:demo</code>). That token registers as many robots as the demo runs and expires one day after it was
        created (Admin → Provisioning tokens shows both); each run creates a fresh one. On a real deployment tokens come
        from the console.
      </p>
      <p>
        <code>npm run sim -- fleet --help</code> lists the options each behavior reads, for example{" "}
        <code>--episodes-steps 3000</code> for longer recorded episodes or <code>--ota-fail-rate 0.3</code>; every
        option a help text lists is accepted.
      </p>
    </>
  );
}
