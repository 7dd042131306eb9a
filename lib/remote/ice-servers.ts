import { createHmac } from "node:crypto";
import type { IceServer } from "./protocol";

/**
 * ICE servers for one end of a session, with short-lived TURN credentials in the "TURN REST API"
 * style (draft-uberti-behave-turn-rest, what coturn's `use-auth-secret` checks):
 *
 * ```text
 * username   = "<expiry unix seconds>:<subject>"
 * credential = base64(HMAC-SHA1(TURN_SECRET, username))
 * ```
 *
 * The TURN server shares only the secret with us; it recomputes the credential and refuses a
 * username whose expiry has passed. Credentials expire with the session, so a leaked one is worth
 * at most the rest of the hour, and it only relays packets (it opens nothing on a robot).
 *
 * `stun:` URLs are listed without credentials; `turn:`/`turns:` URLs share one credential entry.
 */
export function iceServersFor(
  turn: { urls: string[]; secret: string } | undefined,
  input: { subject: string; expiresAt: Date },
): IceServer[] {
  if (!turn || turn.urls.length === 0) return [];
  const stun = turn.urls.filter((url) => /^stuns?:/i.test(url));
  const relays = turn.urls.filter((url) => /^turns?:/i.test(url));
  const servers: IceServer[] = [];
  if (stun.length > 0) servers.push({ urls: stun });
  if (relays.length > 0) servers.push({ urls: relays, ...turnRestCredential(turn.secret, input) });
  return servers;
}

/** One TURN REST API credential pair. The subject must not contain ":" (it is the separator). */
export function turnRestCredential(
  secret: string,
  input: { subject: string; expiresAt: Date },
): { username: string; credential: string } {
  const subject = input.subject.replaceAll(":", "_");
  const username = `${Math.floor(input.expiresAt.getTime() / 1000)}:${subject}`;
  const credential = createHmac("sha1", secret).update(username).digest("base64");
  return { username, credential };
}
