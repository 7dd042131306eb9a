import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
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

documentStoreContract("sqlite (file, writer thread)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sqlite-contract-writer-"));
  dirs.push(dir);
  return new SqliteDocumentStore({ filename: join(dir, "store.db"), indexes: INDEXES, writerThread: true });
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

  describe("writer thread", () => {
    const open = () => {
      const dir = mkdtempSync(join(tmpdir(), "sqlite-writer-"));
      dirs.push(dir);
      return new SqliteDocumentStore({ filename: join(dir, "store.db"), indexes: INDEXES, writerThread: true });
    };

    it("commits batches on the thread; the main connection reads them as soon as a batch resolves", async () => {
      const store = open();
      for (let index = 0; index < 5; index++) {
        await store.batch([
          { kind: "create", collection: "things", id: `t${index}`, data: { n: index } },
          { kind: "set", collection: "marks", id: "last", data: { n: index } },
        ]);
        expect((await store.get("marks", "last"))?.data).toEqual({ n: index });
      }
      expect(store.writerThreadCommits).toBe(5);
      expect(await store.count("things", {})).toBe(5);
      await store.close();
    });

    it("fails a batch as a whole with the store's own error, and nothing of it is written", async () => {
      const store = open();
      await store.create("things", "taken", { v: 1 });
      const failed = store.batch([
        { kind: "create", collection: "things", id: "fresh", data: { v: 2 } },
        { kind: "create", collection: "things", id: "taken", data: { v: 3 } },
      ]);
      await expect(failed).rejects.toBeInstanceOf(DomainError);
      await expect(failed).rejects.toMatchObject({ code: "conflict", reason: "already_exists" });
      expect(await store.get("things", "fresh")).toBeNull();
      await expect(
        store.batch([
          { kind: "update", collection: "things", id: "taken", patch: { v: 4 }, options: { ifRevision: "9" } },
        ]),
      ).rejects.toMatchObject({ code: "precondition_failed", reason: "revision_mismatch" });
      expect((await store.get("things", "taken"))?.data).toEqual({ v: 1 });
      await store.close();
    });

    it("finishes batches in flight before it closes, and then refuses writes", async () => {
      const store = open();
      const inFlight = Array.from({ length: 20 }, (_, index) =>
        store.batch([{ kind: "create", collection: "things", id: `t${index}`, data: { n: index } }]),
      );
      await store.close();
      await expect(Promise.all(inFlight)).resolves.toBeDefined();
      const reopened = new SqliteDocumentStore({ filename: store.filename, indexes: INDEXES });
      expect(await reopened.count("things", {})).toBe(20);
      await reopened.close();
      await expect(store.batch([{ kind: "create", collection: "things", id: "late", data: {} }])).rejects.toMatchObject(
        {
          code: "unavailable",
        },
      );
    });

    it("needs a file", () => {
      expect(() => new SqliteDocumentStore({ filename: ":memory:", indexes: INDEXES, writerThread: true })).toThrow(
        /needs a database file/,
      );
    });
  });
});
