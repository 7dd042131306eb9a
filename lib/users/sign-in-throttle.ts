import { createHash } from "node:crypto";
import { z } from "zod";
import { appendAudit } from "@/lib/audit/append-audit";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { consumeRateLimit } from "@/lib/rate-limit/consume-rate-limit";
import { defineCollection } from "@/lib/storage/typed";

/**
 * Sign-in throttling, per account *and* address, so that nobody can lock an account's owner out
 * by failing on purpose from elsewhere:
 *
 * - per account + address: the first {@link FREE_FAILURES} wrong passwords cost nothing; each
 *   further one blocks that address for that account for twice as long as the last (30 s, 1 min,
 *   2 min … at most 15 min). While blocked, every attempt from there is refused with
 *   `rate_limited` and `retryAfterS`, the right password included. A success clears the record;
 *   it is forgotten a day after its last failure.
 * - per address: at most `signinsPer15Min` attempts of any kind in 15 minutes (a longer block on
 *   one address guessing across many accounts).
 *
 * The owner signing in from another address is never held back by either.
 */
export const FREE_FAILURES = 5;
export const FIRST_DELAY_S = 30;
export const MAX_DELAY_S = 15 * 60;
const FORGET_AFTER_MS = 24 * 3600_000;

export const ZSignInThrottle = z.object({
  email: z.string(),
  ip: z.string(),
  failures: z.number().int().min(0),
  last_failure_at: z.string(),
  blocked_until: z.string().nullable(),
  expires_at: z.string(),
});
export const SignInThrottles = defineCollection("sign_in_throttles", ZSignInThrottle);

function throttleId(email: string, ip: string): string {
  return createHash("sha256").update(`${email}\n${ip}`).digest("hex").slice(0, 40);
}

/** How long the `failures`-th consecutive failure blocks its account + address (0 for the free ones). */
export function delayAfterFailures(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(FIRST_DELAY_S * 2 ** (failures - FREE_FAILURES), MAX_DELAY_S);
}

function throttled(retryAfterS: number): DomainError {
  const wait = retryAfterS >= 90 ? `${Math.ceil(retryAfterS / 60)} minutes` : `${retryAfterS} seconds`;
  return new DomainError("rate_limited", `Too many sign-in attempts from here; try again in ${wait}.`, {
    reason: "sign_in_throttled",
    retryAfterS,
  });
}

async function refuse(ctx: Ctx, email: string, scope: "account_address" | "address", retryAfterS: number) {
  ctx.log.warn({ email, ip: ctx.request.ip, scope, retry_after_s: retryAfterS }, "sign-in throttled");
  await appendAudit(ctx, {
    action: "user.sign_in",
    outcome: "denied",
    target: null,
    details: { email, reason: "throttled", scope, retry_after_s: retryAfterS },
  });
  return throttled(retryAfterS);
}

/**
 * Before checking a password: refuse (429) when this address is over its own limit or blocked for
 * this account; otherwise count the attempt as a failure up front, in the same transaction as the
 * check, so that parallel guesses cannot all slip through before the first failure is written. A
 * right password then clears the record ({@link clearSignInFailures}).
 */
export async function beginSignInAttempt(ctx: Ctx, email: string): Promise<void> {
  const ip = ctx.request.ip ?? "unknown";
  if (ctx.request.ip) {
    try {
      await consumeRateLimit(ctx, {
        key: `signin:ip:${ctx.request.ip}`,
        limit: ctx.config.rateLimits.signinsPer15Min,
        windowS: 900,
      });
    } catch (error) {
      throw await refuse(ctx, email, "address", (error as DomainError).retryAfterS ?? 900);
    }
  }
  const now = ctx.now();
  const nowMs = now.getTime();
  const id = throttleId(email, ip);
  const blockedForS = await ctx.db.transaction(async (tx) => {
    const record = await tx.get(SignInThrottles, id);
    const blockedUntil = record?.data.blocked_until ? Date.parse(record.data.blocked_until) : 0;
    if (blockedUntil > nowMs) return Math.ceil((blockedUntil - nowMs) / 1000);
    const stale = record && Date.parse(record.data.expires_at) <= nowMs;
    const failures = (stale ? 0 : (record?.data.failures ?? 0)) + 1;
    const delayS = delayAfterFailures(failures);
    tx.set(SignInThrottles, id, {
      email,
      ip,
      failures,
      last_failure_at: now.toISOString(),
      blocked_until: delayS > 0 ? new Date(nowMs + delayS * 1000).toISOString() : null,
      expires_at: new Date(nowMs + FORGET_AFTER_MS).toISOString(),
    });
    return 0;
  });
  if (blockedForS > 0) throw await refuse(ctx, email, "account_address", blockedForS);
}

/** After a right password: this address starts afresh for this account. */
export async function clearSignInFailures(ctx: Ctx, email: string): Promise<void> {
  await ctx.db.delete(SignInThrottles, throttleId(email, ctx.request.ip ?? "unknown"));
}

/** Delete records a day past their last failure (run by the background sweeper). */
export async function sweepSignInThrottles(ctx: Ctx): Promise<number> {
  const page = await ctx.db.query(SignInThrottles, {
    where: [{ field: "expires_at", op: "<", value: ctx.now().toISOString() }],
    orderBy: { field: "expires_at" },
    limit: 500,
  });
  if (page.docs.length === 0) return 0;
  await ctx.db.batch(
    page.docs.map((doc) => ({ kind: "delete" as const, collection: SignInThrottles.name, id: doc.id })),
  );
  return page.docs.length;
}
