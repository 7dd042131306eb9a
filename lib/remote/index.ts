/** Remote sessions: ownership-verified sessions, tokens, the relay protocol and the in-session messages. */
export * from "./app-messages";
export { authorizeRelayClient, type AuthorizedClient } from "./authorize-relay-client";
export { endAuditAction, endRemoteSession } from "./end-remote-session";
export { expireRemoteSessions } from "./expire-remote-sessions";
export { getRemoteSession } from "./get-remote-session";
export { iceServersFor, turnRestCredential } from "./ice-servers";
export { listRemoteSessions } from "./list-remote-sessions";
export { markSessionConnected } from "./mark-session-connected";
export * from "./protocol";
export { recordSessionConnect } from "./record-session-connect";
export { recordSessionsProgress, type SessionProgress } from "./record-sessions-progress";
export { getRelayControl, RELAY_CONTROL_KEY, type LiveSession, type RelayControl } from "./relay-control";
export { revokeRemoteSession } from "./revoke-remote-session";
export * from "./schemas";
export {
  issueSessionToken,
  MAX_SESSION_TOKEN_LENGTH,
  SESSION_TOKEN_AUDIENCE,
  SESSION_TOKEN_ISSUER,
  SESSION_TOKEN_TYPE,
  verifySessionToken,
  type SessionTokenClaims,
} from "./session-token";
export { VERIFY_RATE_LIMIT, verifyRemoteAccess, type VerifyResult } from "./verify-remote-access";
export { relayEndpointFor, SIGNAL_PATH, toSessionView, type RemoteSessionView } from "./views";
