import { importPrivateKeyPem } from "@/lib/crypto/ed25519-keys";
import { CLAIM_PROOF_ALGORITHM, CLAIM_PROOF_TYPE, issueClaimProof } from "@/lib/robots/claim-proof";
import { EXAMPLE_ROBOT, EXAMPLE_USER } from "../robot-api/examples";

export const CLAIM_EXAMPLE_IAT = 1765843900;
export const CLAIM_EXAMPLE_JTI = "5f0c2b8e-4d7a-4c1e-9b3f-2a6d8e0c4f17";

/** The claim proof the docs show: the example robot's key, a fixed user, iat and jti (Ed25519 is deterministic). */
export async function claimProofExample() {
  const payload = {
    iss: EXAMPLE_ROBOT.deviceId,
    sub: EXAMPLE_USER,
    ruri: EXAMPLE_ROBOT.ruri,
    iat: CLAIM_EXAMPLE_IAT,
    jti: CLAIM_EXAMPLE_JTI,
  };
  const token = await issueClaimProof({
    ruri: EXAMPLE_ROBOT.ruri,
    userUid: EXAMPLE_USER,
    privateKey: importPrivateKeyPem(EXAMPLE_ROBOT.privateKeyPem),
    iat: CLAIM_EXAMPLE_IAT,
    jti: CLAIM_EXAMPLE_JTI,
  });
  return { token, header: { alg: CLAIM_PROOF_ALGORITHM, typ: CLAIM_PROOF_TYPE, kid: EXAMPLE_ROBOT.deviceId }, payload };
}
