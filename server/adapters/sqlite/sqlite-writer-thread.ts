import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { DomainError, isDomainError, type ErrorCode } from "@/lib/errors";
import type { WriteOp } from "@/lib/storage/port";
import type { IndexDeclaration } from "@/lib/storage/query-plan";

/** What the writer thread opens: the same file and settings as the store that starts it. */
export interface WriterThreadOptions {
  filename: string;
  indexes: readonly IndexDeclaration[];
  synchronous: "FULL" | "NORMAL";
}

/** Messages between the store and its writer thread. */
export type WriterRequest = { kind: "batch"; id: number; ops: readonly WriteOp[] } | { kind: "close" };
export type WriterReply = { kind: "done"; id: number } | { kind: "failed"; id: number; error: SerializedError };

export interface SerializedError {
  message: string;
  domain?: { code: ErrorCode; reason?: string; details?: unknown };
}

export function serializeError(error: unknown): SerializedError {
  if (isDomainError(error)) {
    return { message: error.message, domain: { code: error.code, reason: error.reason, details: error.details } };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

function deserializeError(error: SerializedError): Error {
  return error.domain
    ? new DomainError(error.domain.code, error.message, { reason: error.domain.reason, details: error.domain.details })
    : new Error(error.message);
}

/**
 * Where the worker's entry is. Built, the server bundle sits beside `sqlite-writer-thread.worker.js`
 * (scripts/build-server.mjs builds both); from source (tests, tsx), the TypeScript entry is loaded
 * through tsx's loader, registered inside the worker (resolved from the working directory, the
 * repository). Null when neither is there (a bundle that does not ship the worker): the store then
 * commits on its own thread. Paths are joined as strings so that bundlers do not try to follow them.
 */
function workerScript(): { code: string } | null {
  const here = fileURLToPath(import.meta.url);
  const importOf = (file: string) => `import(${JSON.stringify(pathToFileURL(file).href)})`;
  if (here.endsWith(".ts")) {
    const entry = join(dirname(here), "sqlite-writer-thread.worker.ts");
    return { code: `import("tsx/esm/api").then(({ register }) => { register(); return ${importOf(entry)}; });` };
  }
  const entry = join(dirname(here), "sqlite-writer-thread.worker.js");
  return existsSync(entry) ? { code: `${importOf(entry)};` } : null;
}

interface Pending {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A worker thread that commits the store's batches on its own connection to the same SQLite
 * file. better-sqlite3 is synchronous, so a commit on the main thread stops the event loop while
 * SQLite writes the WAL frames and flushes them; on the robot hot path (group-committed
 * heartbeats) that was a third of the server's time. Here the main thread only posts the writes
 * and carries on serving requests. SQLite's locking keeps the two connections correct (as it
 * does for several processes on one file); a batch resolves only after its commit, so a read on
 * the main connection afterwards sees it.
 *
 * If the thread dies, batches still waiting fail with `unavailable` (their outcome is unknown)
 * and later batches commit on the main thread again.
 */
export class SqliteWriterThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  /** Called when the last batch in flight settles (while closing). */
  private onIdle: (() => void) | null = null;
  /** Batches committed by the thread so far. */
  committed = 0;

  private constructor(script: { code: string }, options: WriterThreadOptions) {
    this.worker = new Worker(script.code, { eval: true, workerData: options });
    // Idle, the thread must not keep the process alive; with batches in flight it must.
    this.worker.unref();
    this.worker.on("message", (reply: WriterReply) => this.onReply(reply));
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new Error(`the SQLite writer thread exited with code ${code}`)));
  }

  /** Start a writer thread, or null when this build has no worker entry. */
  static start(options: WriterThreadOptions): SqliteWriterThread | null {
    const script = workerScript();
    return script ? new SqliteWriterThread(script, options) : null;
  }

  /** False once the thread has failed or closed: the caller commits on its own thread instead. */
  get usable(): boolean {
    return this.failure === null && this.closing === null;
  }

  batch(ops: readonly WriteOp[]): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ kind: "batch", id, ops } satisfies WriterRequest);
    });
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) {
      this.worker.unref();
      this.onIdle?.();
    }
    return entry;
  }

  private onReply(reply: WriterReply): void {
    if (reply.kind === "done") {
      this.committed++;
      this.settle(reply.id)?.resolve();
    } else {
      this.settle(reply.id)?.reject(deserializeError(reply.error));
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const [id, entry] of this.pending) {
      this.settle(id);
      entry.reject(
        new DomainError("unavailable", "The store's writer stopped before this write was confirmed.", {
          reason: "store_writer_failed",
          cause: error,
        }),
      );
    }
  }

  /** Let batches in flight finish, then close the thread's connection and stop it. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.failure) return;
      if (this.pending.size > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
      const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
      this.worker.ref();
      this.worker.postMessage({ kind: "close" } satisfies WriterRequest);
      await exited;
    })();
    return this.closing;
  }
}
