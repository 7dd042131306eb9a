import type { Services } from "@/lib/context";

/**
 * A small least-recently-used map for immutable replay data (an episode's index manifest, its
 * summary, its blob table). A validated episode's files never change in place (a new ingest
 * writes a new checksum, which is part of every key), so entries need no expiry, only a bound.
 * It lives in the runtime's service registry, shared by every route bundle of the process.
 */
export class ReplayCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The process-wide cache called `name` (created on first use with `capacity` entries). */
export function replayCache<V>(services: Services, name: string, capacity: number): ReplayCache<V> {
  const key = `replay.cache.${name}`;
  let cache = services.registry.get(key) as ReplayCache<V> | undefined;
  if (cache === undefined) {
    cache = new ReplayCache<V>(capacity);
    services.registry.set(key, cache);
  }
  return cache;
}
