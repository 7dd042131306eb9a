/**
 * The composition root: reads configuration once, builds the adapters the environment asks for,
 * and shares them process-wide. It is the only module that names an adapter. The custom server
 * and Next's route bundles are separate module graphs in one process, so the runtime lives on
 * `globalThis` under a registered symbol: both sides see the same store, blobs and live state.
 */
import { join } from "node:path";
import type { BlobStore } from "@/lib/blobs/port";
import { assertUploadOpen } from "@/lib/episodes/assert-upload-open";
import type { Actor, Ctx, Logger, RequestInfo, Services } from "@/lib/context";
import { loadConfig, type AppConfig } from "@/lib/env";
import { INDEXES } from "@/lib/storage/indexes";
import type { DocumentStore } from "@/lib/storage/port";
import { SharedRateLimiter } from "@/lib/rate-limit/shared-rate-limiter";
import { Db } from "@/lib/storage/typed";
import { LocalDiskBlobStore } from "@/server/adapters/local-disk/local-disk-blob-store";
import { serveSignedBlobRequest } from "@/server/adapters/local-disk/serve-signed-request";
import { SqliteDocumentStore } from "@/server/adapters/sqlite/sqlite-document-store";
import { createLogger } from "./logger";
import { createMetrics, type Metrics } from "./metrics";
import { loadSecrets, type ServerSecrets } from "./secrets";

export interface Runtime {
  config: AppConfig;
  store: DocumentStore;
  db: Db;
  blobs: BlobStore;
  /** Set on the embedded default, where the app itself serves signed blob URLs (`/api/blobs/…`). */
  serveSignedBlob: ((request: Request) => Promise<Response>) | null;
  log: Logger;
  secrets: ServerSecrets;
  services: Services;
  metrics: Metrics;
  /** Per-robot and per-user request limits shared by all instances through the store. */
  rateLimiter: SharedRateLimiter;
  startedAt: Date;
  now(): Date;
  /** A domain context for one request or job. */
  contextFor(actor: Actor, request?: Partial<RequestInfo>, log?: Logger): Ctx;
  /** Registered by modules that hold resources (workers, relay); run on shutdown in reverse. */
  onClose(fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

const RUNTIME_KEY = Symbol.for("continuon.runtime");
type GlobalWithRuntime = typeof globalThis & { [RUNTIME_KEY]?: Promise<Runtime> };

async function createDocumentStore(config: AppConfig): Promise<DocumentStore> {
  switch (config.storageDriver) {
    case "sqlite":
      return new SqliteDocumentStore({
        filename: join(config.dataDir, "continuon.db"),
        indexes: INDEXES,
        requireDeclaredIndexes: config.strictIndexes,
        synchronous: config.sqliteSynchronous,
        writerThread: config.sqliteWriterThread,
      });
    case "firestore": {
      const settings = config.firestore as NonNullable<AppConfig["firestore"]>;
      const { FirestoreDocumentStore } = await import("@/server/adapters/firestore/firestore-document-store");
      return new FirestoreDocumentStore({ projectId: settings.projectId, databaseId: settings.databaseId });
    }
  }
}

async function createBlobStore(
  config: AppConfig,
  secrets: ServerSecrets,
): Promise<{ blobs: BlobStore; local: LocalDiskBlobStore | null }> {
  switch (config.blobDriver) {
    case "local": {
      const local = new LocalDiskBlobStore({
        root: join(config.dataDir, "blobs"),
        signingSecret: secrets.blobSigningSecret,
        publicBaseUrl: config.publicUrl,
      });
      return { blobs: local, local };
    }
    case "gcs": {
      const settings = config.gcs as NonNullable<AppConfig["gcs"]>;
      const { createGcsBlobStore } = await import("@/server/adapters/gcs/create-gcs-blob-store");
      return { blobs: await createGcsBlobStore(settings), local: null };
    }
  }
}

/** Build a runtime from an environment (tests build several side by side). */
export async function createRuntime(env: Record<string, string | undefined> = process.env): Promise<Runtime> {
  const config = loadConfig(env);
  const log = createLogger(config);
  const secrets = loadSecrets(config, env);
  const store = await createDocumentStore(config);
  const { blobs, local } = await createBlobStore(config, secrets);
  const closers: Array<() => Promise<void> | void> = [];
  const listeners = new Map<string, Set<() => void>>();
  const services: Services = {
    notifyWork: (queue) => listeners.get(queue)?.forEach((wake) => wake()),
    registry: new Map([["work-listeners", listeners]]),
  };
  const db = new Db(store);
  const now = () => new Date();
  const runtime: Runtime = {
    config,
    store,
    db,
    blobs,
    serveSignedBlob: local
      ? (request) =>
          serveSignedBlobRequest(local, request, {
            // An episode's upload URL dies once ingest claimed the upload (/docs/security).
            beforePut: (key) => assertUploadOpen(runtime.contextFor({ kind: "system", name: "blob-upload" }), key),
          })
      : null,
    log,
    secrets,
    services,
    metrics: createMetrics(),
    rateLimiter: new SharedRateLimiter(db, now),
    startedAt: now(),
    now,
    contextFor(actor, request = {}, requestLog) {
      return {
        db,
        blobs,
        actor,
        request: {
          requestId: request.requestId ?? "internal",
          ip: request.ip ?? null,
          userAgent: request.userAgent ?? null,
        },
        now,
        log: requestLog ?? log,
        config,
        secrets,
        services,
      };
    },
    onClose(fn) {
      closers.push(fn);
    },
    async close() {
      for (const fn of closers.reverse()) await fn();
      await runtime.rateLimiter.close();
      await store.close();
    },
  };
  log.info(
    { storage: config.storageDriver, blobs: config.blobDriver, auth: config.authDriver, dataDir: config.dataDir },
    "runtime ready",
  );
  return runtime;
}

/** The process-wide runtime, created on first use from `process.env`. */
export function getRuntime(): Promise<Runtime> {
  const global = globalThis as GlobalWithRuntime;
  global[RUNTIME_KEY] ??= createRuntime(process.env);
  return global[RUNTIME_KEY];
}

/** Install an already-built runtime as the process-wide one (the custom server does this first). */
export function setRuntime(runtime: Runtime): void {
  (globalThis as GlobalWithRuntime)[RUNTIME_KEY] = Promise.resolve(runtime);
}

/** Listen for `notifyWork(queue)` calls (background workers use this to wake early). */
export function onWork(runtime: Runtime, queue: string, wake: () => void): () => void {
  const listeners = runtime.services.registry.get("work-listeners") as Map<string, Set<() => void>>;
  const set = listeners.get(queue) ?? new Set();
  set.add(wake);
  listeners.set(queue, set);
  return () => set.delete(wake);
}
