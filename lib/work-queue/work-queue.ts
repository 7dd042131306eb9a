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

/** Take the next due item of a queue under a lease; null when none is due. */
export async function claimWork(
  ctx: Ctx,
  queue: string,
  leaseMs: number,
  holder = createId("wkr"),
): Promise<Doc<WorkItem> | null> {
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const page = await tx.query(WorkItems, {
      where: [
        { field: "queue", op: "==", value: queue },
        { field: "status", op: "==", value: "queued" },
        { field: "run_after", op: "<=", value: now.toISOString() },
      ],
      orderBy: { field: "run_after" },
      limit: 1,
    });
    const item = page.docs[0];
    if (!item) return null;
    const patch = {
      status: "running" as const,
      attempts: item.data.attempts + 1,
      lease_holder: holder,
      lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
      updated_at: now.toISOString(),
    };
    tx.update(WorkItems, item.id, patch);
    return { ...item, data: { ...item.data, ...patch } };
  });
}

export async function completeWork(ctx: Ctx, item: Doc<WorkItem>): Promise<void> {
  await ctx.db.update(WorkItems, item.id, {
    status: "done",
    lease_holder: null,
    lease_expires_at: null,
    last_error: null,
    updated_at: ctx.now().toISOString(),
  });
}

/** Record a failure: retry after an exponential backoff, or stop at `failed` after the last attempt. */
export async function failWork(ctx: Ctx, item: Doc<WorkItem>, error: unknown): Promise<"retrying" | "failed"> {
  const message = error instanceof Error ? error.message : String(error);
  const final = item.data.attempts >= item.data.max_attempts;
  const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, item.data.attempts - 1));
  await ctx.db.update(WorkItems, item.id, {
    status: final ? "failed" : "queued",
    run_after: new Date(ctx.now().getTime() + (final ? 0 : delay)).toISOString(),
    lease_holder: null,
    lease_expires_at: null,
    last_error: message.slice(0, 2000),
    updated_at: ctx.now().toISOString(),
  });
  return final ? "failed" : "retrying";
}

/** Put items whose worker died (lease lapsed) back in the queue. */
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
  for (const item of page.docs) {
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
  return page.docs.length;
}

export async function getWorkItem(ctx: Ctx, id: string): Promise<Doc<WorkItem> | null> {
  return ctx.db.get(WorkItems, id);
}

/**
 * Run one due item of `queue` with `handler`; returns 1 when an item was handled, 0 when none was
 * due. Background workers call this in a loop.
 */
export async function runNextWork(
  ctx: Ctx,
  queue: string,
  handler: (ctx: Ctx, item: Doc<WorkItem>) => Promise<void>,
  leaseMs = 10 * 60_000,
): Promise<number> {
  const item = await claimWork(ctx, queue, leaseMs);
  if (!item) return 0;
  try {
    await handler(ctx, item);
    await completeWork(ctx, item);
  } catch (error) {
    const outcome = await failWork(ctx, item, error);
    ctx.log.warn({ err: error, queue, item: item.id, attempts: item.data.attempts, outcome }, "work item failed");
  }
  return 1;
}
