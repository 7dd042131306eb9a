import type { Ctx } from "@/lib/context";
import type { WriteOp } from "@/lib/storage/port";
import type { Db } from "@/lib/storage/typed";

/** The store's batch limit. */
const MAX_OPS = 500;
const REGISTRY_KEY = "robots:grouped-batch";

interface Pending {
  ops: readonly WriteOp[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for the robot hot path. Every signed robot request writes a nonce record and a
 * heartbeat writes the registry and a history point; each write is one commit, and a durable
 * commit costs a disk flush (about 2 ms on the embedded SQLite store with `synchronous=FULL`,
 * blocking the process), which alone would cap a server at a few hundred robots' heartbeats a
 * second. Writes submitted in the same turn of the event loop are committed together as one batch
 * instead; each caller still waits for the commit that holds its writes, so nothing is answered
 * before it is stored.
 *
 * A batch is all or nothing, so when a grouped commit fails (a replayed nonce's create, a moved
 * revision) each caller's writes are retried alone and only the caller at fault gets the error.
 */
export class GroupedBatch {
  private pending: Pending[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(readonly db: Db) {}

  /** Commit `ops` atomically, together with whatever else is submitted in this turn. */
  submit(ops: readonly WriteOp[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ops, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Commit once the requests already received in this turn of the event loop have added their
   * writes, and never while the previous group is still committing. No timer: while a commit
   * runs (on this thread or the store's writer thread), new requests queue up and the next group
   * takes them all, so the groups grow with the load by themselves and an idle server never waits.
   */
  private schedule(): void {
    if (this.scheduled || this.flushing || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.flushing = true;
    try {
      await this.commitAll(this.pending.splice(0));
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }

  private async commitAll(all: Pending[]): Promise<void> {
    for (const group of chunk(all)) {
      if (group.length === 1) {
        await this.commitAlone(group[0] as Pending);
        continue;
      }
      try {
        await this.db.batch(group.flatMap((entry) => entry.ops));
        for (const entry of group) entry.resolve();
      } catch {
        for (const entry of group) await this.commitAlone(entry);
      }
    }
  }

  private async commitAlone(entry: Pending): Promise<void> {
    try {
      await this.db.batch(entry.ops);
      entry.resolve();
    } catch (error) {
      entry.reject(error);
    }
  }
}

/** Consecutive groups of callers whose writes fit one batch. */
function chunk(entries: Pending[]): Pending[][] {
  const groups: Pending[][] = [];
  let current: Pending[] = [];
  let size = 0;
  for (const entry of entries) {
    if (current.length > 0 && size + entry.ops.length > MAX_OPS) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += entry.ops.length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Commit `ops` through the process's {@link GroupedBatch} for this store (created on first use and
 * kept in the runtime's service registry, so every route bundle in the process shares one).
 */
export function groupedBatch(ctx: Ctx, ops: readonly WriteOp[]): Promise<void> {
  let grouped = ctx.services.registry.get(REGISTRY_KEY) as GroupedBatch | undefined;
  if (!grouped || grouped.db.store !== ctx.db.store) {
    grouped = new GroupedBatch(ctx.db);
    ctx.services.registry.set(REGISTRY_KEY, grouped);
  }
  return grouped.submit(ops);
}
