/**
 * The contract every DocumentStore adapter passes. Adapters call `documentStoreContract` from
 * their own test file with a factory; a backend that cannot serve a case (an emulator's gap) lists
 * it in `skip` with the reason, and the reason is printed so the gap stays visible.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import { fieldValue, type DocumentStore } from "./port";

export interface ContractOptions {
  /** Case name → why this backend cannot serve it. */
  skip?: Record<string, string>;
}

async function expectDomainError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error: unknown) => error instanceof DomainError && error.code === code);
}

export function documentStoreContract(
  name: string,
  makeStore: () => Promise<DocumentStore>,
  options: ContractOptions = {},
): void {
  describe(`DocumentStore contract: ${name}`, () => {
    let store: DocumentStore;
    let prefix = 0;
    /** Each case works in its own collection, so cases never see each other's data. */
    const col = (label: string) => `c${++prefix}_${label}`;

    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store.close();
    });

    const test = (caseName: string, fn: () => Promise<void>) => {
      const reason = options.skip?.[caseName];
      if (reason) {
        it.skip(`${caseName} — skipped: ${reason}`, fn);
        console.info(`[contract:${name}] skipped "${caseName}": ${reason}`);
      } else {
        it(caseName, fn);
      }
    };

    test("get returns null for an absent document", async () => {
      expect(await store.get(col("absent"), "nope")).toBeNull();
    });

    test("create then get round-trips JSON, nested objects, arrays and ISO dates", async () => {
      const c = col("create");
      const data = {
        name: "a",
        n: 1.5,
        ok: true,
        nested: { list: [1, "x", null], deep: { v: 2 } },
        at: new Date("2026-01-02T03:04:05.000Z"),
      };
      const created = await store.create(c, "doc1", data);
      expect(created.revision).toBeTruthy();
      const read = await store.get(c, "doc1");
      expect(read?.data).toEqual({ ...data, at: "2026-01-02T03:04:05.000Z" });
      expect(read?.revision).toBe(created.revision);
    });

    test("create fails with conflict when the id exists and leaves the document unchanged", async () => {
      const c = col("create_conflict");
      await store.create(c, "doc", { v: 1 });
      await expectDomainError(store.create(c, "doc", { v: 2 }), "conflict");
      expect((await store.get(c, "doc"))?.data).toEqual({ v: 1 });
    });

    test("undefined fields are dropped", async () => {
      const c = col("undefined");
      await store.set(c, "d", { a: 1, b: undefined });
      expect((await store.get(c, "d"))?.data).toEqual({ a: 1 });
    });

    test("set replaces the whole document and changes the revision", async () => {
      const c = col("set");
      const first = await store.set(c, "d", { a: 1, b: 2 });
      const second = await store.set(c, "d", { c: 3 });
      expect(second.revision).not.toBe(first.revision);
      expect((await store.get(c, "d"))?.data).toEqual({ c: 3 });
    });

    test("update merges dotted paths and applies transforms", async () => {
      const c = col("update");
      await store.create(c, "d", { a: 1, nested: { x: 1, y: 2 }, tags: ["a"], gone: "x", count: 1 });
      await store.update(c, "d", {
        "nested.x": 10,
        "nested.z.deep": true,
        tags: fieldValue.arrayUnion("b", "a"),
        gone: fieldValue.delete(),
        count: fieldValue.increment(4),
        fresh: fieldValue.increment(2),
      });
      expect((await store.get(c, "d"))?.data).toEqual({
        a: 1,
        nested: { x: 10, y: 2, z: { deep: true } },
        tags: ["a", "b"],
        count: 5,
        fresh: 2,
      });
      await store.update(c, "d", { tags: fieldValue.arrayRemove("a") });
      expect((await store.get(c, "d"))?.data.tags).toEqual(["b"]);
    });

    test("nested arrays and empty updates are refused as invalid", async () => {
      const c = col("refusals");
      await expectDomainError(store.create(c, "d", { grid: [[1, 2]] }), "invalid");
      await store.create(c, "ok", { v: 1 });
      await expectDomainError(store.update(c, "ok", {}), "invalid");
    });

    test("a range query without an order is ordered by the range field", async () => {
      const c = col("range_order");
      await store.create(c, "a", { n: 3 });
      await store.create(c, "b", { n: 1 });
      await store.create(c, "c", { n: 2 });
      const page = await store.query(c, { where: [{ field: "n", op: ">", value: 0 }] });
      expect(page.docs.map((doc) => doc.id)).toEqual(["b", "c", "a"]);
    });

    test("update of an absent document is not_found", async () => {
      await expectDomainError(store.update(col("update_absent"), "nope", { a: 1 }), "not_found");
    });

    test("update with a stale revision is precondition_failed and changes nothing", async () => {
      const c = col("precondition");
      const first = await store.create(c, "d", { v: 1 });
      const second = await store.update(c, "d", { v: 2 }, { ifRevision: first.revision });
      await expectDomainError(store.update(c, "d", { v: 3 }, { ifRevision: first.revision }), "precondition_failed");
      expect((await store.get(c, "d"))?.data).toEqual({ v: 2 });
      await store.update(c, "d", { v: 4 }, { ifRevision: second.revision });
      expect((await store.get(c, "d"))?.data).toEqual({ v: 4 });
      await expectDomainError(
        store.update(c, "gone", { v: 1 }, { ifRevision: second.revision }),
        "precondition_failed",
      );
    });

    test("delete removes; deleting an absent document is fine", async () => {
      const c = col("delete");
      await store.create(c, "d", { v: 1 });
      await store.delete(c, "d");
      expect(await store.get(c, "d")).toBeNull();
      await store.delete(c, "d");
    });

    test("getMany keeps the order asked and returns null for absent ids", async () => {
      const c = col("getmany");
      await store.create(c, "a", { v: "a" });
      await store.create(c, "c", { v: "c" });
      const docs = await store.getMany(c, ["c", "b", "a"]);
      expect(docs.map((doc) => doc?.data.v ?? null)).toEqual(["c", null, "a"]);
    });

    test("query with equality filters, order and limit", async () => {
      const c = col("query_eq");
      for (let i = 0; i < 6; i++) {
        await store.create(c, `d${i}`, {
          robot: i % 2 === 0 ? "r1" : "r2",
          at: `2026-01-0${i + 1}T00:00:00.000Z`,
          n: i,
        });
      }
      const page = await store.query(c, {
        where: [{ field: "robot", op: "==", value: "r1" }],
        orderBy: { field: "at", direction: "desc" },
        limit: 2,
      });
      expect(page.docs.map((doc) => doc.id)).toEqual(["d4", "d2"]);
      expect(page.nextCursor).toBeTruthy();
    });

    test("query with a boolean and a nested-field equality", async () => {
      const c = col("query_bool");
      await store.create(c, "a", { ok: true, meta: { kind: "x" } });
      await store.create(c, "b", { ok: false, meta: { kind: "x" } });
      await store.create(c, "c", { ok: true, meta: { kind: "y" } });
      const page = await store.query(c, {
        where: [
          { field: "ok", op: "==", value: true },
          { field: "meta.kind", op: "==", value: "x" },
        ],
      });
      expect(page.docs.map((doc) => doc.id)).toEqual(["a"]);
    });

    test("query with a range filter on the order field", async () => {
      const c = col("query_range");
      for (let i = 0; i < 5; i++) await store.create(c, `d${i}`, { n: i });
      const page = await store.query(c, {
        where: [
          { field: "n", op: ">=", value: 1 },
          { field: "n", op: "<", value: 4 },
        ],
        orderBy: { field: "n", direction: "asc" },
      });
      expect(page.docs.map((doc) => doc.data.n)).toEqual([1, 2, 3]);
    });

    test("query with in and array-contains", async () => {
      const c = col("query_in");
      await store.create(c, "a", { status: "online", tags: ["lab", "arm"] });
      await store.create(c, "b", { status: "offline", tags: ["lab"] });
      await store.create(c, "c", { status: "sleeping", tags: ["field"] });
      const inPage = await store.query(c, { where: [{ field: "status", op: "in", value: ["online", "sleeping"] }] });
      expect(inPage.docs.map((doc) => doc.id).sort()).toEqual(["a", "c"]);
      const containsPage = await store.query(c, { where: [{ field: "tags", op: "array-contains", value: "lab" }] });
      expect(containsPage.docs.map((doc) => doc.id).sort()).toEqual(["a", "b"]);
    });

    test("documents lacking the order field are left out", async () => {
      const c = col("query_missing");
      await store.create(c, "a", { n: 1 });
      await store.create(c, "b", { other: 1 });
      const page = await store.query(c, { orderBy: { field: "n" } });
      expect(page.docs.map((doc) => doc.id)).toEqual(["a"]);
    });

    test("cursor pagination visits every document once, ties broken by id", async () => {
      const c = col("query_cursor");
      for (let i = 0; i < 7; i++) await store.create(c, `d${i}`, { group: "g", n: Math.floor(i / 3) });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.query(c, {
          where: [{ field: "group", op: "==", value: "g" }],
          orderBy: { field: "n", direction: "desc" },
          limit: 2,
          cursor,
        });
        seen.push(...page.docs.map((doc) => doc.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(["d6", "d5", "d4", "d3", "d2", "d1", "d0"]);
    });

    test("a tampered cursor is refused as invalid", async () => {
      await expectDomainError(store.query(col("bad_cursor"), { limit: 1, cursor: "not-a-cursor" }), "invalid");
    });

    test("a query with two inequality fields is refused as invalid", async () => {
      await expectDomainError(
        store.query(col("bad_query"), {
          where: [
            { field: "a", op: ">", value: 1 },
            { field: "b", op: "<", value: 1 },
          ],
        }),
        "invalid",
      );
    });

    test("count counts matching documents", async () => {
      const c = col("count");
      await store.create(c, "a", { s: "x" });
      await store.create(c, "b", { s: "x" });
      await store.create(c, "c", { s: "y" });
      expect(await store.count(c, { where: [{ field: "s", op: "==", value: "x" }] })).toBe(2);
      expect(await store.count(c, {})).toBe(3);
    });

    test("batch applies all writes or none", async () => {
      const c = col("batch");
      await store.create(c, "existing", { v: 1 });
      await store.batch([
        { kind: "create", collection: c, id: "a", data: { v: 1 } },
        { kind: "update", collection: c, id: "existing", patch: { v: 2 } },
      ]);
      expect((await store.get(c, "existing"))?.data).toEqual({ v: 2 });
      await expectDomainError(
        store.batch([
          { kind: "create", collection: c, id: "b", data: { v: 1 } },
          { kind: "create", collection: c, id: "a", data: { v: 9 } },
        ]),
        "conflict",
      );
      expect(await store.get(c, "b")).toBeNull();
      expect((await store.get(c, "a"))?.data).toEqual({ v: 1 });
    });

    test("a transaction reads then writes atomically", async () => {
      const c = col("tx");
      await store.create(c, "counter", { n: 1 });
      const result = await store.runTransaction(async (tx) => {
        const doc = await tx.get(c, "counter");
        tx.update(c, "counter", { n: (doc?.data.n as number) + 1 });
        tx.create(c, "log", { from: doc?.data.n });
        return "done";
      });
      expect(result).toBe("done");
      expect((await store.get(c, "counter"))?.data).toEqual({ n: 2 });
      expect((await store.get(c, "log"))?.data).toEqual({ from: 1 });
    });

    test("a transaction that throws writes nothing", async () => {
      const c = col("tx_abort");
      await store.create(c, "d", { n: 1 });
      await expect(
        store.runTransaction(async (tx) => {
          await tx.get(c, "d");
          tx.update(c, "d", { n: 2 });
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      expect((await store.get(c, "d"))?.data).toEqual({ n: 1 });
    });

    test("concurrent transactions on one document lose no update", async () => {
      const c = col("tx_concurrent");
      await store.create(c, "counter", { n: 0 });
      await Promise.all(
        Array.from({ length: 10 }, () =>
          store.runTransaction(async (tx) => {
            const doc = await tx.get(c, "counter");
            await new Promise((resolve) => setTimeout(resolve, 1));
            tx.update(c, "counter", { n: (doc?.data.n as number) + 1 });
          }),
        ),
      );
      expect((await store.get(c, "counter"))?.data).toEqual({ n: 10 });
    });

    test("a transaction's query result is protected against concurrent inserts", async () => {
      const c = col("tx_query");
      const claims = await Promise.allSettled(
        ["w1", "w2", "w3"].map((worker) =>
          store.runTransaction(async (tx) => {
            const page = await tx.query(c, { where: [{ field: "kind", op: "==", value: "lock" }], limit: 1 });
            await new Promise((resolve) => setTimeout(resolve, 1));
            if (page.docs.length > 0) return false;
            tx.create(c, `lock_${worker}`, { kind: "lock", worker });
            return true;
          }),
        ),
      );
      const won = claims.filter((claim) => claim.status === "fulfilled" && claim.value === true);
      expect(won).toHaveLength(1);
      expect(await store.count(c, { where: [{ field: "kind", op: "==", value: "lock" }] })).toBe(1);
    });

    test("invalid document ids are refused", async () => {
      const c = col("bad_id");
      for (const id of ["", "a/b", "..", "__x__"]) {
        await expectDomainError(store.create(c, id, { v: 1 }), "invalid");
      }
    });

    test("reading an id no document can have answers absent, as for any unknown id", async () => {
      const c = col("bad_id_read");
      await store.create(c, "ok", { v: 1 });
      const ids = ["a/b", "../../secrets.json", "..", "__x__", "a\\b", "%2e%2e"];
      for (const id of ids) expect(await store.get(c, id)).toBeNull();
      expect((await store.getMany(c, ["ok", ...ids])).map((doc) => doc?.id ?? null)).toEqual([
        "ok",
        ...ids.map(() => null),
      ]);
      expect(await store.runTransaction(async (tx) => tx.get(c, "a/b"))).toBeNull();
    });

    test("ping answers", async () => {
      await store.ping();
    });
  });
}
