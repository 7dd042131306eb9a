import type { Metadata } from "next";
import Link from "next/link";
import { claimProofExample } from "./claim-proof-example";
import example from "@/lib/crypto/__fixtures__/heartbeat-signature-example.json" with { type: "json" };

export const metadata: Metadata = { title: "Signed robot requests" };

export default async function Signatures() {
  const claim = await claimProofExample();
  return (
    <>
      <h1>Signed robot requests</h1>
      <p>
        Every robot request is signed with the robot&apos;s Ed25519 device key using HTTP Message Signatures (
        <a href="https://www.rfc-editor.org/rfc/rfc9421">RFC 9421</a>); a body is bound to the signature by its{" "}
        <code>Content-Digest</code> (<a href="https://www.rfc-editor.org/rfc/rfc9530">RFC 9530</a>, sha-256). The server
        keeps no session for robots: each request proves itself.
      </p>
      <h2 id="scheme">The scheme</h2>
      <ul>
        <li>
          One signature labelled <code>sig1</code>, algorithm <code>ed25519</code>, <code>keyid</code> = the
          robot&apos;s device_id.
        </li>
        <li>
          Covered components, in this order: <code>@method</code>, <code>@authority</code>, <code>@path</code>, then{" "}
          <code>@query</code> when the URL has a query, then <code>content-digest</code> when there is a body.
        </li>
        <li>
          Parameters, in this order: <code>created</code> and <code>expires</code> (unix seconds), <code>nonce</code>{" "}
          (8–128 printable characters, never reused), <code>keyid</code>, <code>alg=&quot;ed25519&quot;</code>.
        </li>
        <li>
          <code>@authority</code> is the host (and port, unless it is the scheme&apos;s default) of the
          deployment&apos;s public URL, the address robots are given — not the address of a proxy in between.
        </li>
      </ul>
      <h2 id="policy">What the server refuses</h2>
      <ul>
        <li>
          A signature whose <code>created</code> is more than 300 seconds old, or more than 30 seconds in the future, or
          whose <code>expires</code> has passed.
        </li>
        <li>
          A nonce this robot already used within that window. Nonces are kept in the document store with their expiry,
          so the refusal holds after a restart and across server instances.
        </li>
        <li>A body that does not match its Content-Digest (checked while the body streams for large uploads).</li>
        <li>
          Each refusal is a 401 with a stable <code>reason</code>; see the{" "}
          <Link href="/docs/robot-api#errors">error table</Link>.
        </li>
      </ul>
      <h2 id="worked-example">Worked example</h2>
      <p>
        A heartbeat from robot <code>{example.robot.device_id}</code>. {example.warning} Any Ed25519 implementation
        given this key and these bytes produces this exact signature (Ed25519 is deterministic); the test suite checks
        every byte below against the server&apos;s own signer and verifier.
      </p>
      <h3>Keys</h3>
      <pre>
        <code data-testid="example-private-key">{example.robot.private_key_pem}</code>
      </pre>
      <p>
        Public key (base64url of the raw 32 bytes, what registration sends):{" "}
        <code data-testid="example-public-key">{example.robot.public_key}</code>, fingerprint{" "}
        <code>{example.robot.public_key_fingerprint}</code>.
      </p>
      <h3>Request</h3>
      <pre>
        <code>{`${example.request.method} ${example.request.url}\nContent-Type: application/json\n\n${example.request.body}`}</code>
      </pre>
      <h3>1. Content-Digest</h3>
      <p>{example.expected.content_digest_note}.</p>
      <pre>
        <code data-testid="example-content-digest">{example.expected.content_digest}</code>
      </pre>
      <h3>2. Signature base</h3>
      <p>
        {example.expected.signature_base_note} ({example.expected.signature_base_length} bytes):
      </p>
      <pre>
        <code data-testid="example-signature-base">{example.expected.signature_base_lines.join("\n")}</code>
      </pre>
      <h3>3. Signature</h3>
      <p>Ed25519 over those bytes, base64 in a structured-field byte sequence:</p>
      <pre>
        <code data-testid="example-signature">{example.expected.signature}</code>
      </pre>
      <h3>4. The request as sent</h3>
      <pre>
        <code data-testid="example-http-request">{example.expected.http_request.join("\n")}</code>
      </pre>
      <p>{example.verification.note}</p>
      <p>
        The reference signer is <code>tools/robot-client/sign.ts</code> (Node&apos;s crypto only); the simulator and the
        test suite use it.
      </p>
      <h2 id="claim-proof">Claim proofs</h2>
      <p>
        A robot becomes someone&apos;s only through a <strong>local claim proof</strong>: when its owner pairs with it
        in person (a pairing code on the robot&apos;s screen), the robot signs a compact JWS with its device key naming
        that user. The owner pastes it on the console&apos;s claim page (or sends{" "}
        <code>POST /api/robots/claim {"{local_claim_proof}"}</code>). The cloud only verifies it, against the key the
        robot registered.
      </p>
      <pre>
        <code>{`header  {"alg": "EdDSA", "typ": "rcan-claim+jwt", "kid": "<device_id>"}
payload {"iss": "<device_id>", "sub": "<user uid>", "ruri": "rcan://…/<device_id>", "iat": <unix seconds>, "jti": "<unique id>"}`}</code>
      </pre>
      <ul>
        <li>
          <code>kid</code>, <code>iss</code> and the RURI&apos;s device id name the same registered robot;{" "}
          <code>sub</code> must be the signed-in caller.
        </li>
        <li>
          Claims are ordered by <code>iat</code>: a proof newer than the last accepted one, for another user, transfers
          the robot; an older proof, or the same proof again (<code>jti</code>), is refused with 409.
        </li>
        <li>
          <code>iat</code> may be at most 60 s ahead of the server clock. Embedded keys (<code>jwk</code>,{" "}
          <code>x5c</code>, <code>jku</code>) are ignored: the key always comes from the registry.
        </li>
      </ul>
      <p>
        The example robot&apos;s proof for user <code>{claim.payload.sub}</code> at <code>iat</code> {claim.payload.iat}{" "}
        (deterministic, checked by the tests):
      </p>
      <pre>
        <code data-testid="example-claim-proof" className="break-all whitespace-pre-wrap">
          {claim.token}
        </code>
      </pre>
      <pre>
        <code>{`${JSON.stringify(claim.header)}\n${JSON.stringify(claim.payload, null, 2)}`}</code>
      </pre>
      <p>
        With the simulator: <code>npm run sim -- claim --user &lt;uid&gt; --dir &lt;robot folder&gt;</code> prints one.
      </p>
    </>
  );
}
