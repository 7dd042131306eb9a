/**
 * Route authenticator for robots: every robot request is signed (RFC 9421, `sig1`, ed25519) and
 * its body bound by `Content-Digest` (RFC 9530); see `lib/crypto/http-signatures.ts` for the scheme.
 *
 * What it checks, in order (each failure is 401 `unauthenticated` with the reason in brackets):
 * signature headers present [signature_missing] and well formed [signature_malformed], required
 * components covered [signature_components_missing], a body has a digest [digest_missing], `created`
 * not too old [signature_expired] nor ahead [signature_from_future], `keyid` a device id
 * [signature_unknown_key], signature valid for the key registered under it [signature_invalid],
 * body matches the digest [digest_mismatch], nonce not seen before [nonce_replayed].
 *
 * A device id that is not registered, or whose key an admin reset, is checked against a key nobody
 * holds, so it fails as `signature_invalid` with the same message a wrong key gets: no answer tells
 * an unsigned caller which device ids are registered.
 *
 * Which URL is verified: `@authority` (and scheme) come from `PUBLIC_URL`, the address robots are
 * given, never from the internal address a proxy forwarded to (Cloud Run, a load balancer, the
 * Next.js handler all see another host). Path and query come from the request. A robot that
 * addresses the server under another name fails with `signature_invalid`.
 *
 * Keys come from the registry through a per-process cache (`robot-key-cache.ts`): an admin's key
 * reset takes effect at once in the process that made it and within ten seconds in the others. A
 * signature that fails against a cached key is checked once more against a fresh read, so a robot
 * that registered a new key is never refused because of the cache.
 */
import type { KeyObject } from "node:crypto";
import type { Role } from "@/lib/context";
import { ContentDigestVerifier } from "@/lib/crypto/content-digest";
import { generateEd25519KeyPair, importPublicKeyRaw } from "@/lib/crypto/ed25519-keys";
import { verifyRequestSignature, type VerifiedRequestSignature } from "@/lib/crypto/http-signatures";
import { DomainError, isDomainError } from "@/lib/errors";
import { recordRobotNonce, type RobotNonce } from "@/lib/robots/record-robot-nonce";
import { isDeviceId } from "@/lib/robots/ruri";
import { withUser } from "@/server/auth/with-user";
import { robotKeyCache, type CachedRobotKey } from "./robot-key-cache";
import type { AuthInput, AuthResult, Authenticator } from "./route";

/**
 * The URL the robot addressed: one of this deployment's public origins (PUBLIC_URL, or
 * RELAY_PUBLIC_URL when robots reach the relay on another host), with the request's path and query.
 * Behind a proxy the internal address differs from what the robot signed, so the origin comes from
 * configuration; the Host header (or X-Forwarded-Host) only chooses among the configured origins.
 */
export function addressedUrl(request: Request, publicUrl: string, otherPublicUrls: readonly string[] = []): string {
  const url = new URL(request.url);
  const origins = parsedOrigins([publicUrl, ...otherPublicUrls]);
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  const origin = origins.find((candidate) => candidate.host === host) ?? origins[0];
  return `${origin?.origin ?? ""}${url.pathname}${url.search}`;
}

/** The configured public origins, parsed once per distinct list (configuration does not change per request). */
const originLists = new Map<string, URL[]>();
function parsedOrigins(urls: readonly string[]): URL[] {
  const key = urls.join("\n");
  let parsed = originLists.get(key);
  if (!parsed) {
    parsed = urls.map((candidate) => new URL(candidate));
    originLists.set(key, parsed);
  }
  return parsed;
}

/** What signatures naming an unregistered (or reset) device id are checked against; nobody holds its private half. */
const UNHELD_KEY = generateEd25519KeyPair().publicKey;

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
  return importPublicKeyRaw(publicKey);
}

export interface WithRobotOptions {
  /**
   * Verify against the `public_key` in the JSON body instead of the registry (`POST
   * /api/rcan/register`: the robot proves it holds the key it registers). The verb then checks the
   * RURI names the signer.
   */
  registration?: boolean;
  /**
   * Leave the nonce to the handler, which must pass {@link robotAuthOf}(request).nonce to a verb
   * that writes it in the same commit as its own writes (`recordHeartbeat`): one commit per request
   * instead of two on the hottest route, and a replay fails that commit as a whole.
   */
  nonceInHandler?: boolean;
}

/** What authentication learned about a robot request, for handlers that use it. */
export interface RobotAuth {
  nonce: RobotNonce;
  /** What the registry said about the robot (null for a registration). */
  robot: CachedRobotKey | null;
}

const authenticated = new WeakMap<Request, RobotAuth>();

/** The verified nonce and registry facts of a request authenticated with `withRobot({nonceInHandler: true})`. */
export function robotAuthOf(request: Request): RobotAuth {
  const auth = authenticated.get(request);
  if (!auth) throw new Error("robotAuthOf: the request was not authenticated with withRobot({ nonceInHandler: true })");
  return auth;
}

async function verify(
  input: AuthInput,
  options: WithRobotOptions,
): Promise<{ verified: VerifiedRequestSignature; robot: CachedRobotKey | null }> {
  const { request, runtime, bodyBytes } = input;
  const cache = robotKeyCache(runtime);
  let robot: CachedRobotKey | null = null;
  let fromCache = false;
  const attempt = (useCache: boolean) =>
    verifyRequestSignature({
      method: request.method,
      url: addressedUrl(request, runtime.config.publicUrl, [runtime.config.relayPublicUrl]),
      headers: request.headers,
      ...(bodyBytes !== null ? { body: bodyBytes } : {}),
      now: Math.floor(runtime.now().getTime() / 1000),
      publicKeyFor: async (keyId) => {
        // keyid is untrusted input: only a device id may reach the cache or the store.
        if (!isDeviceId(keyId)) return null;
        if (options.registration) return keyFromRegistrationBody(bodyBytes);
        robot = useCache ? cache.peek(keyId) : null;
        fromCache = robot !== null;
        robot ??= await cache.load(keyId);
        return robot?.key ?? UNHELD_KEY;
      },
    });
  try {
    return { verified: await attempt(true), robot };
  } catch (error) {
    if (!fromCache || !isDomainError(error) || error.reason !== "signature_invalid") throw error;
    return { verified: await attempt(false), robot };
  }
}

/**
 * `createRoute(withRobot(), …)`: the handler runs as `{kind: "robot", deviceId}`. For
 * `bodyMode: "stream"` the handler gets a body stream that checks the signed digest as it flows
 * and errors at its end on a mismatch (the handler must then discard what it stored).
 */
export function withRobot(options: WithRobotOptions = {}): Authenticator {
  return async (input): Promise<AuthResult> => {
    const { verified, robot } = await verify(input, options);
    // Only a signature that verified may spend a nonce (or anyone could burn a robot's nonces).
    const nonce = {
      deviceId: verified.keyId,
      nonce: verified.nonce,
      expiresAt: new Date(verified.replayWindowEndsAt * 1000),
    };
    if (options.nonceInHandler) {
      authenticated.set(input.request, { nonce, robot });
    } else {
      await recordRobotNonce(input.runtime.contextFor({ kind: "system", name: "robot-auth" }, input.info), nonce);
    }
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
