/**
 * Route authenticator for robots: every robot request is signed (RFC 9421, `sig1`, ed25519) and
 * its body bound by `Content-Digest` (RFC 9530); see `lib/crypto/http-signatures.ts` for the scheme.
 *
 * What it checks, in order (each failure is 401 `unauthenticated` with the reason in brackets):
 * signature headers present [signature_missing] and well formed [signature_malformed], required
 * components covered [signature_components_missing], a body has a digest [digest_missing], `created`
 * not too old [signature_expired] nor ahead [signature_from_future], `keyid` a registered robot
 * [signature_unknown_key], signature valid [signature_invalid], body matches the digest
 * [digest_mismatch], nonce not seen before [nonce_replayed].
 *
 * Which URL is verified: `@authority` (and scheme) come from `PUBLIC_URL`, the address robots are
 * given, never from the internal address a proxy forwarded to (Cloud Run, a load balancer, the
 * Next.js handler all see another host). Path and query come from the request. A robot that
 * addresses the server under another name fails with `signature_invalid`.
 *
 * Keys: the registry document is read on every request, so an admin's key reset takes effect at
 * once on every instance; only the parsing of the raw key into a KeyObject is cached (by the key's
 * own bytes, so a cache entry can never be stale).
 */
import type { KeyObject } from "node:crypto";
import type { Role } from "@/lib/context";
import { ContentDigestVerifier } from "@/lib/crypto/content-digest";
import { importPublicKeyRaw } from "@/lib/crypto/ed25519-keys";
import { verifyRequestSignature, type VerifiedRequestSignature } from "@/lib/crypto/http-signatures";
import { DomainError } from "@/lib/errors";
import { recordRobotNonce } from "@/lib/robots/record-robot-nonce";
import { isDeviceId } from "@/lib/robots/ruri";
import { Robots } from "@/lib/robots/schemas";
import { withUser } from "@/server/auth/with-user";
import type { AuthInput, AuthResult, Authenticator } from "./route";

const KEY_CACHE_SIZE = 10_000;
const keyCache = new Map<string, KeyObject>();

/** Parse a raw base64url key once; the cache is keyed by the key itself, so it needs no invalidation. */
function keyObject(rawKey: string): KeyObject {
  let key = keyCache.get(rawKey);
  if (key) return key;
  key = importPublicKeyRaw(rawKey);
  if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(rawKey, key);
  return key;
}

/** The URL the robot addressed: `PUBLIC_URL`'s scheme and authority, the request's path and query. */
export function addressedUrl(request: Request, publicUrl: string): string {
  const url = new URL(request.url);
  return `${new URL(publicUrl).origin}${url.pathname}${url.search}`;
}

/** The registration body's public key: during registration the key is not stored yet. */
function keyFromRegistrationBody(bodyBytes: Buffer | null): KeyObject {
  let body: unknown;
  try {
    body = JSON.parse((bodyBytes ?? Buffer.alloc(0)).toString("utf8"));
  } catch {
    throw new DomainError("invalid", "The body is not valid JSON.", { reason: "invalid_json" });
  }
  const publicKey = (body as { public_key?: unknown } | null)?.public_key;
  if (typeof publicKey !== "string") {
    throw new DomainError(
      "invalid",
      "Invalid body: public_key: required (the registration is signed by the key it registers).",
      { reason: "invalid_public_key" },
    );
  }
  return keyObject(publicKey);
}

export interface WithRobotOptions {
  /**
   * Verify against the `public_key` in the JSON body instead of the registry (`POST
   * /api/rcan/register`: the robot proves it holds the key it registers). The verb then checks the
   * RURI names the signer.
   */
  registration?: boolean;
}

async function verify(input: AuthInput, options: WithRobotOptions): Promise<VerifiedRequestSignature> {
  const { request, runtime, bodyBytes } = input;
  return verifyRequestSignature({
    method: request.method,
    url: addressedUrl(request, runtime.config.publicUrl),
    headers: request.headers,
    ...(bodyBytes !== null ? { body: bodyBytes } : {}),
    now: Math.floor(runtime.now().getTime() / 1000),
    publicKeyFor: async (keyId) => {
      // keyid is untrusted input: only a device id may reach the store.
      if (!isDeviceId(keyId)) return null;
      if (options.registration) return keyFromRegistrationBody(bodyBytes);
      const robot = await runtime.db.get(Robots, keyId);
      return robot?.data.public_key ? keyObject(robot.data.public_key) : null;
    },
  });
}

/**
 * `createRoute(withRobot(), …)`: the handler runs as `{kind: "robot", deviceId}`. For
 * `bodyMode: "stream"` the handler gets a body stream that checks the signed digest as it flows
 * and errors at its end on a mismatch (the handler must then discard what it stored).
 */
export function withRobot(options: WithRobotOptions = {}): Authenticator {
  return async (input): Promise<AuthResult> => {
    const verified = await verify(input, options);
    const ctx = input.runtime.contextFor({ kind: "system", name: "robot-auth" }, input.info);
    // Only a signature that verified may spend a nonce (or anyone could burn a robot's nonces).
    await recordRobotNonce(ctx, {
      deviceId: verified.keyId,
      nonce: verified.nonce,
      expiresAt: new Date(verified.replayWindowEndsAt * 1000),
    });
    const result: AuthResult = { actor: { kind: "robot", deviceId: verified.keyId } };
    if (input.bodyBytes === null && input.request.body) {
      result.body = input.request.body.pipeThrough(new ContentDigestVerifier(verified.contentDigest).webTransform());
    }
    return result;
  };
}

/** True when a request carries a robot signature (lookups accept a robot or a signed-in user). */
export function hasRobotSignature(request: Request): boolean {
  return request.headers.has("signature-input") || request.headers.has("signature");
}

/** A signed robot or a signed-in user (at least `atLeast`), chosen by whether the request carries a signature. */
export function withRobotOrUser(atLeast: Role = "owner"): Authenticator {
  const robot = withRobot();
  const user = withUser(atLeast);
  return (input) => (hasRobotSignature(input.request) ? robot(input) : user(input));
}
