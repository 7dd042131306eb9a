/**
 * The continuon.cloud robot client: identity folder, request signing, claim proofs.
 * See `robot-client.ts` for usage and `sign.ts` for the exact bytes a robot signs.
 */
export {
  createRobotIdentity,
  DEVICE_KEY_FILE,
  IDENTITY_FILE,
  identityFromKey,
  loadIdentity,
  saveIdentity,
  type IdentityFile,
  type RobotIdentity,
} from "./identity";
export {
  RobotApiError,
  RobotClient,
  type RobotClientOptions,
  type RobotRequestOptions,
  type SignedRequest,
} from "./robot-client";
export { contentDigestOf, signClaimProof, signRobotRequest, type RobotSignature, type RobotSignInput } from "./sign";
