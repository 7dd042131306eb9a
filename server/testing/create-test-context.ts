import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Actor, Ctx, Logger, Secrets, Services } from "@/lib/context";
import { loadConfig, type AppConfig } from "@/lib/env";
import { INDEXES } from "@/lib/storage/indexes";
import { Db } from "@/lib/storage/typed";
import { LocalDiskBlobStore } from "@/server/adapters/local-disk/local-disk-blob-store";
import { SqliteDocumentStore } from "@/server/adapters/sqlite/sqlite-document-store";

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** A clock tests move by hand. */
export class TestClock {
  constructor(private current: Date = new Date("2026-06-01T12:00:00.000Z")) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
}

let cachedOtaKey: string | undefined;
function testOtaKey(): string {
  cachedOtaKey ??= generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  return cachedOtaKey;
}

export interface TestContext extends Ctx {
  clock: TestClock;
  /** The same ports acting as someone else. */
  as(actor: Actor): Ctx;
  cleanup(): Promise<void>;
}

/**
 * A context on real adapters (SQLite in memory with strict index checks, blobs in a temp dir)
 * and a fixed clock: domain tests run the real storage code, not a mock.
 */
export function createTestContext(
  options: { actor?: Actor; config?: Partial<AppConfig>; env?: Record<string, string> } = {},
): TestContext {
  const clock = new TestClock();
  const dir = mkdtempSync(join(tmpdir(), "continuon-test-"));
  const config: AppConfig = {
    ...loadConfig({ CONTINUON_DATA_DIR: dir, ...options.env }),
    strictIndexes: true,
    ...options.config,
  };
  const store = new SqliteDocumentStore({
    filename: ":memory:",
    indexes: INDEXES,
    requireDeclaredIndexes: true,
    now: clock.now,
  });
  const blobs = new LocalDiskBlobStore({
    root: join(dir, "blobs"),
    signingSecret: "test-signing-secret-0123456789",
    publicBaseUrl: config.publicUrl,
    now: clock.now,
  });
  const secrets: Secrets = {
    otaSigningKey: { privateKeyPem: testOtaKey(), keyId: "ota-test-1" },
    otaPreviousPublicKeys: {},
    tokenSecret: "test-token-secret-0123456789",
  };
  const services: Services = { notifyWork: () => undefined, registry: new Map() };
  const base: Ctx = {
    db: new Db(store),
    blobs,
    actor: options.actor ?? { kind: "anonymous" },
    request: { requestId: "req_test", ip: "127.0.0.1", userAgent: "vitest" },
    now: clock.now,
    log: silentLogger,
    config,
    secrets,
    services,
  };
  return {
    ...base,
    clock,
    as: (actor: Actor) => ({ ...base, actor }),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
