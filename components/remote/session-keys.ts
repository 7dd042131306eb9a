/**
 * Where the browser keeps what a remote session needs. Client-side only.
 *
 * - The session token lives in `sessionStorage` of the tab that ran verify: it is a bearer
 *   credential for one hour, so it never goes to localStorage or a cookie, and the server never
 *   hands it out again.
 * - A robot's local claim proof may be remembered in `localStorage` on this device, when the owner
 *   asks (it is what they would otherwise paste each time; it proves nothing without their sign-in).
 */
import type { IceServer } from "@/lib/remote/protocol";

export interface StoredSessionKey {
  session_id: string;
  session_token: string;
  robot_endpoint: string;
  expires_at: string;
  ice_servers: IceServer[];
}

const SESSION_PREFIX = "continuon.remote.session.";
const PROOF_PREFIX = "continuon.remote.claim-proof.";

export function saveSessionKey(key: StoredSessionKey): void {
  // Drop keys whose hour is over: they open nothing any more.
  for (let index = sessionStorage.length - 1; index >= 0; index--) {
    const name = sessionStorage.key(index);
    if (!name?.startsWith(SESSION_PREFIX)) continue;
    const stored = parseSessionKey(sessionStorage.getItem(name));
    if (!stored || Date.parse(stored.expires_at) <= Date.now()) sessionStorage.removeItem(name);
  }
  sessionStorage.setItem(SESSION_PREFIX + key.session_id, JSON.stringify(key));
}

/** The stored JSON text (stable between calls, so React can compare snapshots). */
export function readSessionKeyText(sessionId: string): string | null {
  return sessionStorage.getItem(SESSION_PREFIX + sessionId);
}

export function parseSessionKey(raw: string | null): StoredSessionKey | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as StoredSessionKey;
  } catch {
    return null;
  }
}

export function loadSessionKey(sessionId: string): StoredSessionKey | null {
  return parseSessionKey(readSessionKeyText(sessionId));
}

export function forgetSessionKey(sessionId: string): void {
  sessionStorage.removeItem(SESSION_PREFIX + sessionId);
}

/** Remember a robot's claim proof on this device (the claim page can call this after a claim). */
export function rememberClaimProof(deviceId: string, proof: string): void {
  localStorage.setItem(PROOF_PREFIX + deviceId, proof.trim());
}

export function recallClaimProof(deviceId: string): string | null {
  return localStorage.getItem(PROOF_PREFIX + deviceId);
}

export function forgetClaimProof(deviceId: string): void {
  localStorage.removeItem(PROOF_PREFIX + deviceId);
}
