import type { KeyObject } from "node:crypto";
import { importPublicKeyRaw } from "@/lib/crypto/ed25519-keys";
import { Robots } from "@/lib/robots/schemas";
import type { Runtime } from "@/server/runtime";

/**
 * How long this process trusts what it read about a robot's key. An admin's key reset takes effect
 * at once in the process that made it (the entry is dropped) and within this time everywhere else.
 */
export const ROBOT_KEY_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 20_000;
const REGISTRY_KEY = "robots:key-cache";

/** What signed requests need to know about their robot, as read from the registry. */
export interface CachedRobotKey {
  deviceId: string;
  key: KeyObject;
  publicKey: string;
  firmwareVersion: string | null;
  /** The robot model (fixed at registration) and last reported versions, for the heartbeat's OTA hint. */
  model: string;
  currentBundle: string | null;
  brainVersion: string | null;
  /** When it was read from the store (ms). */
  readAt: number;
}

/**
 * Registered robots' public keys (and the firmware they last reported), per process, so a signed
 * request needs no store read. Kept in the runtime's service registry: the custom server's direct
 * routes and Next's route bundles share one cache. Robots that are not registered are never cached
 * (a robot that registers is known at once).
 */
export class RobotKeyCache {
  private readonly entries = new Map<string, CachedRobotKey>();
  /** Parsed keys by their raw bytes: parsing is pure, so these never go stale. */
  private readonly parsed = new Map<string, KeyObject>();

  constructor(private readonly runtime: Runtime) {}

  /** A fresh entry, or null. */
  peek(deviceId: string): CachedRobotKey | null {
    const entry = this.entries.get(deviceId);
    if (!entry) return null;
    if (this.runtime.now().getTime() - entry.readAt > ROBOT_KEY_CACHE_TTL_MS) {
      this.entries.delete(deviceId);
      return null;
    }
    return entry;
  }

  /** Read the robot from the store (and cache it when it has a key). */
  async load(deviceId: string): Promise<CachedRobotKey | null> {
    const robot = await this.runtime.db.get(Robots, deviceId);
    if (!robot?.data.public_key) {
      this.entries.delete(deviceId);
      return null;
    }
    const entry: CachedRobotKey = {
      deviceId,
      key: this.keyObject(robot.data.public_key),
      publicKey: robot.data.public_key,
      firmwareVersion: robot.data.firmware_version,
      model: robot.data.model,
      currentBundle: robot.data.current_bundle,
      brainVersion: robot.data.brain_version,
      readAt: this.runtime.now().getTime(),
    };
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(deviceId, entry);
    return entry;
  }

  /** Forget a robot (its key or firmware changed here). */
  invalidate(deviceId: string): void {
    this.entries.delete(deviceId);
  }

  /** Parse a raw base64url key once. */
  keyObject(publicKey: string): KeyObject {
    let key = this.parsed.get(publicKey);
    if (!key) {
      key = importPublicKeyRaw(publicKey);
      if (this.parsed.size >= MAX_ENTRIES) this.parsed.delete(this.parsed.keys().next().value as string);
      this.parsed.set(publicKey, key);
    }
    return key;
  }
}

/** The process's robot key cache. */
export function robotKeyCache(runtime: Runtime): RobotKeyCache {
  let cache = runtime.services.registry.get(REGISTRY_KEY) as RobotKeyCache | undefined;
  if (!cache) {
    cache = new RobotKeyCache(runtime);
    runtime.services.registry.set(REGISTRY_KEY, cache);
  }
  return cache;
}
