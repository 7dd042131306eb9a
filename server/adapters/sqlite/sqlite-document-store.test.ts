import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { documentStoreContract } from "@/lib/storage/document-store.contract";
import { INDEXES } from "@/lib/storage/indexes";
import { SqliteDocumentStore } from "./sqlite-document-store";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

documentStoreContract("sqlite (file)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sqlite-contract-"));
  dirs.push(dir);
  return new SqliteDocumentStore({ filename: join(dir, "store.db"), indexes: INDEXES });
});

documentStoreContract(
  "sqlite (memory)",
  async () => new SqliteDocumentStore({ filename: ":memory:", indexes: INDEXES }),
);

describe("SqliteDocumentStore specifics", () => {
  it("refuses a query without a declared composite index when strict", async () => {
    const store = new SqliteDocumentStore({ filename: ":memory:", indexes: [], requireDeclaredIndexes: true });
    await expect(
      store.query("things", {
        where: [{ field: "a", op: "==", value: 1 }],
        orderBy: { field: "b", direction: "desc" },
      }),
    ).rejects.toMatchObject({ code: "internal", reason: "missing_index" });
    // single-field queries need no composite index
    await store.query("things", { orderBy: { field: "b" } });
    await store.close();
  });

  it("uses the declared expression index for an equality + order query", async () => {
    const store = new SqliteDocumentStore({
      filename: ":memory:",
      indexes: [
        {
          collectionGroup: "things",
          fields: [
            { fieldPath: "a", order: "ASCENDING" },
            { fieldPath: "b", order: "DESCENDING" },
          ],
        },
      ],
      requireDeclaredIndexes: true,
    });
    await store.create("things", "x", { a: 1, b: 2 });
    // Reach into the adapter to read SQLite's plan: the query must not scan or sort.
    const db = (store as unknown as { db: import("better-sqlite3").Database }).db;
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM "doc_things" WHERE json_extract(data, '$.a') = 1 AND json_type(data, '$.b') IS NOT NULL ORDER BY json_extract(data, '$.b') DESC, id DESC`,
      )
      .all() as Array<{ detail: string }>;
    const details = plan.map((row) => row.detail).join(" | ");
    expect(details).toContain("USING INDEX");
    expect(details).not.toContain("TEMP B-TREE");
    await store.close();
  });

  it("survives reopening: data is on disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sqlite-reopen-"));
    dirs.push(dir);
    const filename = join(dir, "store.db");
    const first = new SqliteDocumentStore({ filename, indexes: INDEXES });
    await first.create("things", "a", { v: 1 });
    await first.close();
    const second = new SqliteDocumentStore({ filename, indexes: INDEXES });
    expect((await second.get("things", "a"))?.data).toEqual({ v: 1 });
    await expect(second.get("things", "a")).resolves.toBeTruthy();
    await second.close();
    await expect(second.get("things", "a")).rejects.toMatchObject({ code: "unavailable" });
  });
});
