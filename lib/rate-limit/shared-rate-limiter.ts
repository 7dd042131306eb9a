import { createHash } from "node:crypto";
import { DomainError } from "@/lib/errors";
import { fieldValue } from "@/lib/storage/port";
import type { Db } from "@/lib/storage/typed";
import { RateLimits } from "./consume-rate-limit";

export interface SharedRateRule {
  limit: number;
  windowS: number;
}

interface Window {
  /** Requests this process counted and has not written yet. */
  pending: number;
  /** The total all instances had written, as last read. */
  shared: number;
  key: string;
  windowStart: number;
  windowMs: number;
}

/**
 * A fixed-window rate limiter for hot routes that holds across instances without a store write
 * per request: each process counts locally and, every `flushMs`, adds its counts to the shared
 * window documents (`rate_limits`, one batch of increments for all keys) and reads back the
 * totals. A caller is refused once the shared total plus what this process counted since passes
 * the limit. Totals are read back for the keys an instance counted, so an instance that has not
 * seen a key for a while may admit what it counts within one flush interval before it learns the
 * shared total: the overshoot is bounded by one interval's admissions per instance.
 * (`consumeRateLimit` is exact, at a transaction per call: for sign-in and other rare actions.)
 */
export class SharedRateLimiter {
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly flushMs = 1000,
  ) {}

  private id(window: Window): string {
    return `${createHash("sha256").update(window.key).digest("hex").slice(0, 40)}_${window.windowStart}`;
  }

  /** Count one request for `key`; throws `rate_limited` with `retryAfterS` when over the limit. */
  consume(key: string, rule: SharedRateRule): void {
    const nowMs = this.now().getTime();
    const windowMs = rule.windowS * 1000;
    const windowStart = Math.floor(nowMs / windowMs) * windowMs;
    const mapKey = `${key}\u0000${windowStart}`;
    let window = this.windows.get(mapKey);
    if (!window) {
      window = { pending: 0, shared: 0, key, windowStart, windowMs };
      this.windows.set(mapKey, window);
    }
    if (window.shared + window.pending >= rule.limit) {
      throw new DomainError("rate_limited", `Too many requests; at most ${rule.limit} per ${rule.windowS} s.`, {
        reason: "rate_limited",
        retryAfterS: Math.max(1, Math.ceil((windowStart + windowMs - nowMs) / 1000)),
      });
    }
    window.pending++;
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Write pending counts as increments (one batch) and read back the shared totals. */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.timer = null;
    this.flushing = (async () => {
      const nowMs = this.now().getTime();
      const due = [...this.windows.entries()].filter(([, window]) => window.pending > 0);
      for (const [mapKey, window] of this.windows) {
        if (window.windowStart + window.windowMs < nowMs && window.pending === 0) this.windows.delete(mapKey);
      }
      if (due.length === 0) return;
      const counted = due.map(([, window]) => window.pending);
      due.forEach(([, window]) => (window.pending = 0));
      try {
        for (let start = 0; start < due.length; start += 400) {
          const slice = due.slice(start, start + 400);
          const ids = slice.map(([, window]) => this.id(window));
          const existing = await this.db.getMany(RateLimits, ids);
          await this.db.batch(
            slice.map(([, window], index) => {
              const id = ids[index] as string;
              const by = counted[start + index] as number;
              return existing[index]
                ? {
                    kind: "update" as const,
                    collection: RateLimits.name,
                    id,
                    patch: { count: fieldValue.increment(by) },
                  }
                : {
                    // Create, not set: if another instance created it meanwhile, the batch fails and
                    // the counts stay pending for the next flush, which then increments.
                    kind: "create" as const,
                    collection: RateLimits.name,
                    id,
                    data: {
                      key: window.key.slice(0, 200),
                      count: by,
                      window_start: new Date(window.windowStart).toISOString(),
                      expires_at: new Date(window.windowStart + window.windowMs).toISOString(),
                    },
                  };
            }),
          );
          const totals = await this.db.getMany(RateLimits, ids);
          slice.forEach(([, window], index) => {
            window.shared = totals[index]?.data.count ?? window.shared;
          });
        }
      } catch {
        // Keep the counts for the next flush rather than lose them.
        due.forEach(([, window], index) => (window.pending += counted[index] as number));
      }
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Write what is pending (shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
