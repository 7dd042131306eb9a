import { createHash } from "node:crypto";
import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { defineCollection } from "@/lib/storage/typed";

export const ZRateLimitWindow = z.object({
  key: z.string(),
  count: z.number(),
  window_start: z.string(),
  expires_at: z.string(),
});
export const RateLimits = defineCollection("rate_limits", ZRateLimitWindow);

export interface RateLimitRule {
  /** What is limited and for whom, e.g. `signin:email:a@b.c`. */
  key: string;
  limit: number;
  windowS: number;
}

/**
 * Count one event against a fixed-window limit kept in the store, so the limit holds across
 * restarts and across several server instances. Throws `rate_limited` with `retryAfterS` once the
 * window is full. Expired windows are swept by `sweepRateLimits`.
 */
export async function consumeRateLimit(ctx: Ctx, rule: RateLimitRule): Promise<{ remaining: number }> {
  const nowMs = ctx.now().getTime();
  const windowMs = rule.windowS * 1000;
  const windowStart = Math.floor(nowMs / windowMs) * windowMs;
  const id = `${createHash("sha256").update(rule.key).digest("hex").slice(0, 40)}_${windowStart}`;
  const count = await ctx.db.transaction(async (tx) => {
    const doc = await tx.get(RateLimits, id);
    const next = (doc?.data.count ?? 0) + 1;
    if (next > rule.limit) return next;
    if (doc) tx.update(RateLimits, id, { count: next });
    else
      tx.create(RateLimits, id, {
        key: rule.key.slice(0, 200),
        count: next,
        window_start: new Date(windowStart).toISOString(),
        expires_at: new Date(windowStart + windowMs).toISOString(),
      });
    return next;
  });
  if (count > rule.limit) {
    throw new DomainError("rate_limited", "Too many attempts; wait and try again.", {
      reason: "rate_limited",
      retryAfterS: Math.ceil((windowStart + windowMs - nowMs) / 1000),
    });
  }
  return { remaining: rule.limit - count };
}

/** Delete windows that have ended (run by the background sweeper). */
export async function sweepRateLimits(ctx: Ctx): Promise<number> {
  const page = await ctx.db.query(RateLimits, {
    where: [{ field: "expires_at", op: "<", value: ctx.now().toISOString() }],
    orderBy: { field: "expires_at" },
    limit: 500,
  });
  if (page.docs.length === 0) return 0;
  await ctx.db.batch(page.docs.map((doc) => ({ kind: "delete" as const, collection: RateLimits.name, id: doc.id })));
  return page.docs.length;
}
