import { createHmac } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { DomainError } from "@/lib/errors";

/**
 * Remote session tokens (PRODUCT.md §3.4): a JWT (HS256) bound to one user (`sub`), one robot
 * (`rid`) and one session (`sid`), valid one hour. jose does the JWS work; what is decided here is
 * the binding and the error reasons.
 *
 * The HMAC key is derived from the deployment's token secret with a label, so a token minted for
 * another purpose with the same secret can never pass as a session token (and the reverse).
 * Expiry is in the token; revocation is on the session document, which the relay checks at
 * connect time and while the connection lives.
 */

export const SESSION_TOKEN_TYPE = "remote-session+jwt";
export const SESSION_TOKEN_ISSUER = "continuon.cloud";
export const SESSION_TOKEN_AUDIENCE = "continuon-relay";
const KEY_LABEL = "continuon remote session token v1";
/** Longest token accepted before any parsing (bounds work on hostile input). */
export const MAX_SESSION_TOKEN_LENGTH = 2048;

export interface SessionTokenClaims {
  /** The user the session belongs to. */
  sub: string;
  /** The session id. */
  sid: string;
  /** The robot's device_id. */
  rid: string;
  /** Issued at / expires, unix seconds. */
  iat: number;
  exp: number;
}

function keyFor(secret: string): Uint8Array {
  return createHmac("sha256", secret).update(KEY_LABEL).digest();
}

/** Mint a session token. */
export async function issueSessionToken(
  secret: string,
  claims: { userUid: string; sessionId: string; deviceId: string; issuedAt: Date; expiresAt: Date },
): Promise<string> {
  return new SignJWT({ sid: claims.sessionId, rid: claims.deviceId })
    .setProtectedHeader({ alg: "HS256", typ: SESSION_TOKEN_TYPE })
    .setIssuer(SESSION_TOKEN_ISSUER)
    .setAudience(SESSION_TOKEN_AUDIENCE)
    .setSubject(claims.userUid)
    .setJti(claims.sessionId)
    .setIssuedAt(Math.floor(claims.issuedAt.getTime() / 1000))
    .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
    .sign(keyFor(secret));
}

function refuse(reason: string, message: string, cause?: unknown): DomainError {
  return new DomainError("unauthenticated", message, { reason, cause });
}

/**
 * Verify a session token's signature, type, issuer, audience and expiry at `now`.
 *
 * @throws `unauthenticated` with reason `token_malformed`, `token_invalid` (signature, type,
 * issuer or audience) or `token_expired`.
 */
export async function verifySessionToken(secret: string, token: string, now: Date): Promise<SessionTokenClaims> {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_SESSION_TOKEN_LENGTH) {
    throw refuse("token_malformed", "The session token is missing or too long.");
  }
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    throw refuse("token_malformed", "The session token is not a compact JWT.");
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keyFor(secret), {
      algorithms: ["HS256"],
      typ: SESSION_TOKEN_TYPE,
      issuer: SESSION_TOKEN_ISSUER,
      audience: SESSION_TOKEN_AUDIENCE,
      currentDate: now,
      requiredClaims: ["sub", "sid", "rid", "iat", "exp"],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw refuse("token_expired", "The session token has expired; connect again from the console.", error);
    }
    if (error instanceof joseErrors.JOSEError) {
      throw refuse("token_invalid", "The session token does not verify.", error);
    }
    throw error;
  }
  const { sub, sid, rid, iat, exp } = payload;
  if (typeof sub !== "string" || typeof sid !== "string" || typeof rid !== "string") {
    throw refuse("token_invalid", "The session token lacks its user, session or robot.");
  }
  return { sub, sid, rid, iat: iat as number, exp: exp as number };
}
