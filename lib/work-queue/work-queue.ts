import type { Ctx } from "@/lib/context";
import { createId } from "@/lib/ids";
import type { Doc } from "@/lib/storage/typed";
import { WorkItems, type WorkItem } from "./schemas";

/**
 * A durable work queue in the document store: items survive restarts, a worker holds an item
 * under a lease (so a crashed worker's item comes back), failures retry with exponential backoff,
 * and after `max_attempts` an item stays `failed` with its last error for people to see.
 * Item ids are chosen by the caller, so enqueueing the same work twice is one item.
 */

export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_MAX_MS = 30 * 60_000;

export interface EnqueueInput {
  queue: string;
  /** Stable id (e.g. `tfrecord_<episode>`): enqueueing again re-arms the same item. */
  id: string;
  payload: Record<string, unknown>;
  maxAttempts?: number;
  runAfter?: Date;
}

/** Queue work (or re-queue a finished or failed item with the same id). Wakes local workers. */
export async function enqueueWork(ctx: Ctx, input: EnqueueInput): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.db.transaction(async (tx) => {
    const existing = await tx.get(WorkItems, input.id);
    if (existing && (existing.data.status === "queued" || existing.data.status === "running")) return;
    tx.set(WorkItems, input.id, {
      queue: input.queue,
      status: "queued",
      payload: input.payload,
      attempts: 0,
      max_attempts: input.maxAttempts ?? 8,
      run_after: (input.runAfter ?? ctx.now()).toISOString(),
      lease_holder: null,
      lease_expires_at: null,
      last_error: null,
      created_at: existing?.data.created_at ?? now,
      updated_at: now,
    });
  });
  ctx.services.notifyWork(input.queue);
}

/** What `claimNextWork` found: an item to run, or one whose last attempt's worker died. */
export type WorkClaim =
  { kind: "claimed"; item: Doc<WorkItem> } | { kind: "exhausted"; item: Doc<WorkItem>; message: string } | null;

/**
 * Take the next item of a queue under a lease: a due queued item, else a running item whose lease
 * lapsed (its worker died or stopped renewing) — taken over at once, as the next attempt. A lapsed
 * item that has used all its attempts is marked `failed` instead and returned as `exhausted`.
 */
export async function claimNextWork(
  ctx: Ctx,
  queue: string,
  leaseMs: number,
  holder = createId("wkr"),
): Promise<WorkClaim> {
  const now = ctx.now();
  return ctx.db.transaction(async (tx): Promise<WorkClaim> => {
    const due = await tx.query(WorkItems, {
      where: [
        { field: "queue", op: "==", value: queue },
        { field: "status", op: "==", value: "queued" },
        { field: "run_after", op: "<=", value: now.toISOString() },
      ],
      orderBy: { field: "run_after" },
      limit: 1,
    });
    const lapsed = due.docs[0]
      ? null
      : (
          await tx.query(WorkItems, {
            where: [
              { field: "queue", op: "==", value: queue },
              { field: "status", op: "==", value: "running" },
              { field: "lease_expires_at", op: "<", value: now.toISOString() },
            ],
            orderBy: { field: "lease_expires_at" },
            limit: 1,
          })
        ).docs[0];
    const item = due.docs[0] ?? lapsed;
    if (!item) return null;
    if (lapsed && item.data.attempts >= item.data.max_attempts) {
      const message = `The worker of attempt ${item.data.attempts} of ${item.data.max_attempts} stopped (its lease expired at ${item.data.lease_expires_at}).`;
      const patch = {
        status: "failed" as const,
        lease_holder: null,
        lease_expires_at: null,
        last_error: message,
        updated_at: now.toISOString(),
      };
      tx.update(WorkItems, item.id, patch);
      return { kind: "exhausted", item: { ...item, data: { ...item.data, ...patch } }, message };
    }
    const patch = {
      status: "running" as const,
      attempts: item.data.attempts + 1,
      lease_holder: holder,
      lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
      updated_at: now.toISOString(),
      ...(lapsed
        ? { last_error: `The worker of attempt ${item.data.attempts} stopped (its lease expired); taken over.` }
        : {}),
    };
    tx.update(WorkItems, item.id, patch);
    return { kind: "claimed", item: { ...item, data: { ...item.data, ...patch } } };
  });
}

/** Take the next due (or lapsed) item of a queue under a lease; null when there is none. */
export async function claimWork(
  ctx: Ctx,
  queue: string,
  leaseMs: number,
  holder = createId("wkr"),
): Promise<Doc<WorkItem> | null> {
  const claim = await claimNextWork(ctx, queue, leaseMs, holder);
  return claim?.kind === "claimed" ? claim.item : null;
}

/**
 * Extend the lease of an item this worker holds to `leaseMs` from now. False when the item is no
 * longer this worker's (another worker took it over after the lease lapsed, or it finished).
 */
export async function renewWorkLease(ctx: Ctx, item: Doc<WorkItem>, leaseMs: number): Promise<boolean> {
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const current = await tx.get(WorkItems, item.id);
    if (!current || current.data.status !== "running" || current.data.lease_holder !== item.data.lease_holder) {
      return false;
    }
    tx.update(WorkItems, item.id, {
      lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
      updated_at: now.toISOString(),
    });
    return true;
  });
}

/** Apply `patch` only while `item` is still running under this worker's lease; false otherwise. */
async function updateIfHeld(ctx: Ctx, item: Doc<WorkItem>, patch: Partial<WorkItem>): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const current = await tx.get(WorkItems, item.id);
    if (!current || current.data.status !== "running" || current.data.lease_holder !== item.data.lease_holder) {
      return false;
    }
    tx.update(WorkItems, item.id, patch);
    return true;
  });
}

/** Mark the item done, unless another worker took it over meanwhile (false then: nothing changes). */
export async function completeWork(ctx: Ctx, item: Doc<WorkItem>): Promise<boolean> {
  return updateIfHeld(ctx, item, {
    status: "done",
    lease_holder: null,
    lease_expires_at: null,
    last_error: null,
    updated_at: ctx.now().toISOString(),
  });
}

/**
 * Record a failure: retry after an exponential backoff, or stop at `failed` after the last attempt.
 * `lost` when another worker took the item over meanwhile (nothing changes).
 */
export async function failWork(ctx: Ctx, item: Doc<WorkItem>, error: unknown): Promise<"retrying" | "failed" | "lost"> {
  const message = error instanceof Error ? error.message : String(error);
  const final = item.data.attempts >= item.data.max_attempts;
  const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, item.data.attempts - 1));
  const held = await updateIfHeld(ctx, item, {
    status: final ? "failed" : "queued",
    run_after: new Date(ctx.now().getTime() + (final ? 0 : delay)).toISOString(),
    lease_holder: null,
    lease_expires_at: null,
    last_error: message.slice(0, 2000),
    updated_at: ctx.now().toISOString(),
  });
  if (!held) return "lost";
  return final ? "failed" : "retrying";
}

/**
 * Put items whose worker died (lease lapsed) back in the queue — a backstop for queues no worker
 * is polling; a queue's own worker takes lapsed items over directly (`claimNextWork`). Items with
 * no attempts left stay for that worker, which fails them through its domain.
 */
export async function requeueExpiredWork(ctx: Ctx): Promise<number> {
  const now = ctx.now().toISOString();
  const page = await ctx.db.query(WorkItems, {
    where: [
      { field: "status", op: "==", value: "running" },
      { field: "lease_expires_at", op: "<", value: now },
    ],
    orderBy: { field: "lease_expires_at" },
    limit: 100,
  });
  let requeued = 0;
  for (const item of page.docs) {
    if (item.data.attempts >= item.data.max_attempts) continue;
    requeued += 1;
    await ctx.db
      .update(
        WorkItems,
        item.id,
        {
          status: "queued",
          lease_holder: null,
          lease_expires_at: null,
          last_error: "lease expired (worker stopped)",
          updated_at: now,
        },
        { ifRevision: item.revision },
      )
      .catch(() => undefined);
  }
  return requeued;
}

export async function getWorkItem(ctx: Ctx, id: string): Promise<Doc<WorkItem> | null> {
  return ctx.db.get(WorkItems, id);
}

/** What a handler gets besides the item: `signal` aborts when the lease was lost to another worker. */
export interface WorkLease {
  signal: AbortSignal;
}

export type WorkHandler = (ctx: Ctx, item: Doc<WorkItem>, lease: WorkLease) => Promise<void>;

/** Runs `tick` every `ms` until the returned function is called. */
export type Every = (tick: () => Promise<void>, ms: number) => () => void;

const everyInterval: Every = (tick, ms) => {
  const timer = setInterval(() => void tick(), ms);
  timer.unref?.();
  return () => clearInterval(timer);
};

export interface RunWorkOptions {
  /** The lease; renewed every third of it while the handler runs. Default `config.workLeaseS`. */
  leaseMs?: number;
  /**
   * Called (after the item is marked `failed`) for an item whose last attempt's worker died, so
   * the domain can record the failure where people look for it.
   */
  onExhausted?: (ctx: Ctx, item: Doc<WorkItem>, message: string) => Promise<void>;
  /** How renewals are scheduled (tests drive them by hand). */
  every?: Every;
}

/**
 * Run one item of `queue` with `handler` (a due one, or one whose worker died); returns 1 when an
 * item was handled, 0 when none was due. The lease is short and renewed every third of it while
 * the handler runs, so a dead worker's item is taken over within about one lease; a renewal that
 * finds the item taken over aborts `lease.signal`, and the old worker's outcome is then dropped.
 * Background workers call this in a loop.
 */
export async function runNextWork(
  ctx: Ctx,
  queue: string,
  handler: WorkHandler,
  options: RunWorkOptions | number = {},
): Promise<number> {
  const {
    leaseMs = ctx.config.workLeaseS * 1000,
    onExhausted,
    every = everyInterval,
  } = typeof options === "number" ? { leaseMs: options } : options;
  const claim = await claimNextWork(ctx, queue, leaseMs);
  if (!claim) return 0;
  const { item } = claim;
  if (claim.kind === "exhausted") {
    ctx.log.warn({ queue, item: item.id, attempts: item.data.attempts }, claim.message);
    await onExhausted?.(ctx, item, claim.message);
    return 1;
  }
  const controller = new AbortController();
  let renewing: Promise<void> = Promise.resolve();
  const stop = every(() => {
    renewing = renewing.then(async () => {
      if (controller.signal.aborted) return;
      const held = await renewWorkLease(ctx, item, leaseMs).catch((error: unknown) => {
        ctx.log.warn({ err: error, queue, item: item.id }, "work lease not renewed (will try again)");
        return true;
      });
      if (!held) {
        ctx.log.warn({ queue, item: item.id }, "work lease lost: another worker took the item over");
        controller.abort(new Error(`The lease of ${item.id} was taken over by another worker.`));
      }
    });
    return renewing;
  }, leaseMs / 3);
  try {
    await handler(ctx, item, { signal: controller.signal });
    stop();
    await renewing;
    if (!(await completeWork(ctx, item))) {
      ctx.log.warn({ queue, item: item.id }, "work item finished after another worker took it over");
    }
  } catch (error) {
    stop();
    await renewing;
    const outcome = await failWork(ctx, item, error);
    ctx.log.warn({ err: error, queue, item: item.id, attempts: item.data.attempts, outcome }, "work item failed");
  }
  return 1;
}
