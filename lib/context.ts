import type { BlobStore } from "@/lib/blobs/port";
import type { AppConfig } from "@/lib/env";
import type { Db } from "@/lib/storage/typed";

export type Role = "owner" | "operator" | "admin";

/** Who is acting. Every verb checks it first. */
export type Actor =
  | { kind: "user"; uid: string; role: Role; email: string }
  | { kind: "robot"; deviceId: string }
  | { kind: "training"; tokenId: string }
  | { kind: "system"; name: string }
  | { kind: "anonymous" };

/** Where a request came from, for the audit log and rate limits. */
export interface RequestInfo {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

/** A minimal structured logger (pino satisfies it); the domain never names a logging library. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

/** Key material the domain signs with (loaded by the runtime from env, secret files or the data dir). */
export interface Secrets {
  /** Ed25519 private key (PKCS#8 PEM) for OTA bundles, and its key id. */
  otaSigningKey: { privateKeyPem: string; keyId: string };
  /** Older OTA public keys kept for verification after rotation: key id → raw 32-byte base64. */
  otaPreviousPublicKeys: Record<string, string>;
  /** HMAC key for session and other server-issued tokens. */
  tokenSecret: string;
}

/**
 * What every domain verb receives: the ports, the actor, a clock, a logger and configuration.
 * Built by `server/runtime.ts` per request; tests build it with `createTestContext`.
 */
export interface Ctx {
  db: Db;
  blobs: BlobStore;
  actor: Actor;
  request: RequestInfo;
  now(): Date;
  log: Logger;
  config: AppConfig;
  secrets: Secrets;
  /** Process-wide services registered by the runtime (relay registry, work queue notifier). */
  services: Services;
}

/** Long-lived services shared between route handlers and the custom server. */
export interface Services {
  /** Wake background workers (e.g. after queueing work); a no-op when none run here. */
  notifyWork(queue: string): void;
  /** Extension point: later modules register live state (e.g. the relay) by name. */
  registry: Map<string, unknown>;
}

export function actorId(actor: Actor): string {
  switch (actor.kind) {
    case "user":
      return actor.uid;
    case "robot":
      return actor.deviceId;
    case "training":
      return actor.tokenId;
    case "system":
      return actor.name;
    case "anonymous":
      return "anonymous";
  }
}

/** A copy of the context acting as someone else (e.g. a verb calling another as the system). */
export function withActor(ctx: Ctx, actor: Actor): Ctx {
  return { ...ctx, actor };
}
