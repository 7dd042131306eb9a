/** Robot identity: RURIs, legacy aliases and local claim proofs. */
export {
  CLAIM_PROOF_ALGORITHM,
  CLAIM_PROOF_ERROR_REASONS,
  CLAIM_PROOF_MAX_SKEW_S,
  CLAIM_PROOF_TYPE,
  issueClaimProof,
  readClaimProofHeader,
  verifyClaimProof,
  type ClaimProofErrorReason,
  type ClaimProofPayload,
  type IssueClaimProofInput,
  type VerifiedClaimProof,
  type VerifyClaimProofOptions,
} from "./claim-proof";
export {
  DEFAULT_RURI_PORT,
  formatRuri,
  isDeviceId,
  MAX_RURI_LENGTH,
  parseLegacyAlias,
  parseRobotReference,
  parseRuri,
  toIdentityRuri,
  tryParseRuri,
  type LegacyAlias,
  type RobotAddress,
  type RobotAddressParts,
  type RobotReference,
} from "./ruri";
export { requireRobot, requireRobotSelf, requireVisibleRobot } from "./access";
export { claimRobot, type ClaimResult } from "./claim-robot";
export { createProvisioningToken } from "./create-provisioning-token";
export { getFleetOverview, type FacetCount, type FleetOverview } from "./get-fleet-overview";
export { getRobot } from "./get-robot";
export { listProvisioningTokens } from "./list-provisioning-tokens";
export { listRobots, type RobotListPage } from "./list-robots";
export { lookupRobot } from "./lookup-robot";
export { recordHeartbeat, type HeartbeatAnswer } from "./record-heartbeat";
export { recordRobotNonce } from "./record-robot-nonce";
export { registerRobot } from "./register-robot";
export { resetRobotKey } from "./reset-robot-key";
export { revokeProvisioningToken } from "./revoke-provisioning-token";
export { computeRobotStatus, MISSED_HEARTBEATS_OFFLINE, type ShownStatus } from "./status";
export { sweepHeartbeats } from "./sweep-heartbeats";
export { sweepRobotNonces } from "./sweep-robot-nonces";
export { updateRobot } from "./update-robot";
export type {
  HeartbeatPointView,
  ProvisioningTokenState,
  ProvisioningTokenView,
  PublicRobotView,
  RobotSummary,
  RobotView,
} from "./views";
