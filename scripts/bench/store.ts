/**
 * `npm run bench:store`: the SQLite document store at 100 000 documents, each figure beside the
 * same work done with raw better-sqlite3 prepared statements in the same run (same table layout,
 * indexes, pragmas and JSON), so the adapter's own cost is what the ratio shows.
 *
 * - creates per second: individual `create` calls, one transaction each, as the product writes
 *   (synchronous=NORMAL for all 100 000, then a sample with synchronous=FULL, the default);
 * - indexed query latency: `action == X` ordered by `at` desc, limit 20, on `audit_log` (a declared
 *   composite index), p50 and p99.
 *
 * Ends with one JSON line per figure: {"bench":"store","metric",…,"value","unit","floor","ratio","target"};
 * `ratio` is adapter/raw for throughput and raw/adapter for latency, so higher is better and 1 is parity.
 * BENCH_STORE_DOCS overrides the document count (for a quick look; the figures quoted use 100 000).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { INDEXES } from "@/lib/storage/indexes";
import type { Query } from "@/lib/storage/port";
import { assertIndexFor } from "@/lib/storage/query-plan";
import { SqliteDocumentStore } from "@/server/adapters/sqlite/sqlite-document-store";

const DOCS = Number(process.env.BENCH_STORE_DOCS ?? 100_000);
const BLOCK = 5_000;
const DURABLE_SAMPLE = Math.min(5_000, DOCS);
const QUERIES = 5_000;
const WARMUP_QUERIES = 3_000;
const LIMIT = 20;
const TARGET = 0.5;
const COLLECTION = "audit_log";
const TABLE = `doc_${COLLECTION}`;
const ACTIONS = Array.from({ length: 20 }, (_, i) => `action.${i}`);

/** A deterministic audit entry (about 330 bytes of JSON), the shape the product writes most. */
function makeDoc(i: number): Record<string, unknown> {
  return {
    at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    action: ACTIONS[(i * 7) % ACTIONS.length],
    actor: { kind: "user", id: `user_${i % 97}`, email: `user${i % 97}@example.com` },
    target: { kind: "robot", id: `robot_${i % 1013}` },
    outcome: i % 13 === 0 ? "denied" : "ok",
    ip: `10.0.${(i >> 8) & 255}.${i & 255}`,
    user_agent: "continuon-bench/1.0",
    details: { request_id: `req_${i.toString(36)}`, bytes: i % 4096, tags: ["bench", `t${i % 5}`] },
  };
}

const docId = (i: number) => `e${String(i).padStart(7, "0")}`;

interface RawStore {
  db: Database.Database;
  create(id: string, data: Record<string, unknown>): void;
  query(action: string): Array<{ id: string; data: unknown; version: number }>;
}

/** The adapter's DDL for the collection, read back from its file (so both sides share one layout). */
function schemaOf(db: Database.Database): string[] {
  return (
    db
      .prepare("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC")
      .all(TABLE) as Array<{
      sql: string;
    }>
  ).map((row) => row.sql);
}

/** The same work with bare prepared statements; `schema` is replayed into a fresh file. */
function openRaw(filename: string, synchronous: "FULL" | "NORMAL", schema: string[] = []): RawStore {
  const db = new Database(filename);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  for (const sql of schema) db.exec(sql);
  const insert = db.prepare(
    `INSERT INTO "${TABLE}" (id, data, version, update_time) VALUES (?, ?, 1, ?) ON CONFLICT(id) DO NOTHING`,
  );
  const create = db.transaction((id: string, json: string, at: string) => insert.run(id, json, at));
  const select = db.prepare(
    `SELECT id, data, version FROM "${TABLE}" WHERE json_extract(data, '$.action') = ? AND json_type(data, '$.at') IS NOT NULL ` +
      `ORDER BY json_extract(data, '$.at') DESC, id DESC LIMIT ${LIMIT + 1}`,
  );
  return {
    db,
    create: (id, data) => void create.immediate(id, JSON.stringify(data), new Date().toISOString()),
    query: (action) =>
      (select.all(action) as Array<{ id: string; data: string; version: number }>)
        .slice(0, LIMIT)
        .map((row) => ({ id: row.id, data: JSON.parse(row.data) as unknown, version: row.version })),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface Figure {
  metric: string;
  label: string;
  value: number;
  unit: string;
  floor: number;
  ratio: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-store-"));
  const adapterFile = join(dir, "adapter.db");
  const rawFile = join(dir, "raw.db");
  try {
    const store = new SqliteDocumentStore({ filename: adapterFile, indexes: INDEXES, synchronous: "NORMAL" });
    // The first create makes the table and its expression indexes; the raw side copies that schema.
    await store.create(COLLECTION, "warmup", makeDoc(-1));
    await store.delete(COLLECTION, "warmup");
    const adapterDb = (store as unknown as { db: Database.Database }).db;
    const raw = openRaw(rawFile, "NORMAL", schemaOf(adapterDb));

    console.log(`bench:store — SQLite document store, ${DOCS} documents in ${COLLECTION}, Node ${process.version}`);
    console.log(
      `indexes on ${TABLE}: ${(adapterDb.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?").all(TABLE) as Array<{ name: string }>).map((r) => r.name).join(", ")}`,
    );

    // Writes, interleaved in blocks so background load hits both sides alike.
    let adapterMs = 0;
    let rawMs = 0;
    for (let start = 0; start < DOCS; start += BLOCK) {
      const end = Math.min(DOCS, start + BLOCK);
      let t = performance.now();
      for (let i = start; i < end; i++) await store.create(COLLECTION, docId(i), makeDoc(i));
      adapterMs += performance.now() - t;
      t = performance.now();
      for (let i = start; i < end; i++) raw.create(docId(i), makeDoc(i));
      rawMs += performance.now() - t;
    }
    const figures: Figure[] = [];
    const perSecond = (count: number, ms: number) => count / (ms / 1000);
    figures.push({
      metric: "create_docs_per_s",
      label: "creates/s (synchronous=NORMAL)",
      value: perSecond(DOCS, adapterMs),
      unit: "docs/s",
      floor: perSecond(DOCS, rawMs),
      ratio: rawMs / adapterMs,
    });

    // Durable writes (the default, synchronous=FULL) on top of the full collection.
    await store.close();
    raw.db.close();
    const durable = new SqliteDocumentStore({ filename: adapterFile, indexes: INDEXES, synchronous: "FULL" });
    const rawDurable = openRaw(rawFile, "FULL");
    adapterMs = 0;
    rawMs = 0;
    for (let start = DOCS; start < DOCS + DURABLE_SAMPLE; start += 1000) {
      const end = Math.min(DOCS + DURABLE_SAMPLE, start + 1000);
      let t = performance.now();
      for (let i = start; i < end; i++) await durable.create(COLLECTION, docId(i), makeDoc(i));
      adapterMs += performance.now() - t;
      t = performance.now();
      for (let i = start; i < end; i++) rawDurable.create(docId(i), makeDoc(i));
      rawMs += performance.now() - t;
    }
    figures.push({
      metric: "create_docs_per_s_durable",
      label: `creates/s (synchronous=FULL, ${DURABLE_SAMPLE} more)`,
      value: perSecond(DURABLE_SAMPLE, adapterMs),
      unit: "docs/s",
      floor: perSecond(DURABLE_SAMPLE, rawMs),
      ratio: rawMs / adapterMs,
    });

    // Indexed query: both sides must read straight off the composite index.
    const plan = (
      rawDurable.db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT id FROM "${TABLE}" WHERE json_extract(data, '$.action') = ? AND json_type(data, '$.at') IS NOT NULL ORDER BY json_extract(data, '$.at') DESC, id DESC LIMIT 21`,
        )
        .all("action.1") as Array<{ detail: string }>
    )
      .map((row) => row.detail)
      .join(" | ");
    console.log(`query plan: ${plan}`);
    if (!plan.includes("USING INDEX") || plan.includes("TEMP B-TREE"))
      throw new Error(`The bench query does not use its index: ${plan}`);

    const queryFor = (action: string): Query => ({
      where: [{ field: "action", op: "==", value: action }],
      orderBy: { field: "at", direction: "desc" },
      limit: LIMIT,
    });
    // The store runs as the product configures it (no per-query index check); the check is done
    // once here: the query's composite index is declared, so production has it too.
    assertIndexFor(INDEXES, COLLECTION, queryFor("action.0"));
    const adapterQuery = (action: string) => durable.query(COLLECTION, queryFor(action));
    const first = await adapterQuery("action.3");
    const rawFirst = rawDurable.query("action.3");
    if (
      first.docs.length !== LIMIT ||
      JSON.stringify(first.docs.map((d) => d.id)) !== JSON.stringify(rawFirst.map((r) => r.id))
    ) {
      throw new Error("The adapter and the raw query disagree; the comparison would be meaningless.");
    }
    const adapterTimes: number[] = [];
    const rawTimes: number[] = [];
    const timeAdapter = async (action: string) => {
      const t = process.hrtime.bigint();
      await adapterQuery(action);
      return Number(process.hrtime.bigint() - t);
    };
    const timeRaw = (action: string) => {
      const t = process.hrtime.bigint();
      rawDurable.query(action);
      return Number(process.hrtime.bigint() - t);
    };
    for (let i = 0; i < WARMUP_QUERIES + QUERIES; i++) {
      const action = ACTIONS[i % ACTIONS.length] as string;
      // Alternate who goes first, so neither side always inherits the other's leftovers (GC, cache).
      let adapterNs: number;
      let rawNs: number;
      if (i % 2 === 0) {
        adapterNs = await timeAdapter(action);
        rawNs = timeRaw(action);
      } else {
        rawNs = timeRaw(action);
        adapterNs = await timeAdapter(action);
      }
      if (i >= WARMUP_QUERIES) {
        adapterTimes.push(adapterNs / 1e6);
        rawTimes.push(rawNs / 1e6);
      }
    }
    adapterTimes.sort((a, b) => a - b);
    rawTimes.sort((a, b) => a - b);
    for (const p of [50, 99]) {
      const value = percentile(adapterTimes, p);
      const floor = percentile(rawTimes, p);
      figures.push({
        metric: `indexed_query_p${p}_ms`,
        label: `indexed query p${p} (eq + order + limit ${LIMIT})`,
        value,
        unit: "ms",
        floor,
        ratio: floor / value,
      });
    }
    await durable.close();
    rawDurable.db.close();

    const round = (value: number, unit: string) => (unit === "ms" ? Number(value.toFixed(4)) : Math.round(value));
    console.log("");
    console.log(`${"figure".padEnd(44)}${"adapter".padStart(14)}${"raw".padStart(14)}${"ratio".padStart(8)}  target`);
    for (const figure of figures) {
      const pass = figure.ratio >= TARGET ? "ok" : "MISSED";
      console.log(
        `${figure.label.padEnd(44)}${`${round(figure.value, figure.unit)} ${figure.unit}`.padStart(14)}${`${round(figure.floor, figure.unit)} ${figure.unit}`.padStart(14)}${figure.ratio.toFixed(2).padStart(8)}  ≥${TARGET} ${pass}`,
      );
    }
    console.log("");
    for (const figure of figures) {
      console.log(
        JSON.stringify({
          bench: "store",
          metric: figure.metric,
          value: round(figure.value, figure.unit),
          unit: figure.unit,
          floor: round(figure.floor, figure.unit),
          ratio: Number(figure.ratio.toFixed(3)),
          target: TARGET,
        }),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
