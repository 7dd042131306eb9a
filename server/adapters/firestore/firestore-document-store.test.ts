import { createServer } from "node:net";
import { FirestoreServer } from "@firestore-emulator/server";
import { Firestore, Timestamp } from "firebase-admin/firestore";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import { encodeCursor } from "@/lib/storage/cursor";
import { documentStoreContract } from "@/lib/storage/document-store.contract";
import { fieldValue } from "@/lib/storage/port";
import { FirestoreDocumentStore, toDomainError, type Operation } from "./firestore-document-store";

/**
 * The contract runs against `@firestore-emulator/server` started in this process, patched by
 * `patches/@firestore-emulator+server+0.3.15.patch` (applied by `npm install`'s postinstall) so that
 * it means what Firestore means: set replaces, every transform of a write runs, update_time
 * preconditions, nested paths, orders that leave out documents lacking the field, cursors on the
 * order and `__name__`, atomic commits and transaction isolation. "What the adapter asks Firestore
 * for" below also checks the requests on the wire, so the adapter's side never rests on the
 * emulator alone.
 */

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port")),
      );
    });
  });
}

// Started at import time so the store factories below can be built inside `beforeAll`.
const emulator = new FirestoreServer();
const emulatorReady = (async () => {
  const port = await freePort();
  await emulator.start(port);
  // firebase-admin reads this when a client is built; the adapter itself never looks.
  process.env.FIRESTORE_EMULATOR_HOST = `127.0.0.1:${port}`;
})();
beforeAll(() => emulatorReady);
afterAll(() => emulator.stop());

let projects = 0;
const demoProject = () => `demo-contract-${++projects}`;

describe("the Firestore emulator", () => {
  it("is the patched one (run npm install: its postinstall applies patches/)", () => {
    expect((FirestoreServer as unknown as { semanticFixes?: string }).semanticFixes).toMatch(/continuon/);
  });
});

documentStoreContract("firestore (emulator)", async () => new FirestoreDocumentStore({ projectId: demoProject() }));

interface RecordedWrite {
  update?: { name: string; fields: Record<string, unknown> };
  delete?: string;
  update_mask?: { field_paths: string[] };
  update_transforms?: Array<Record<string, unknown>>;
  current_document?: { exists?: boolean; update_time?: { seconds: number; nanos: number } };
}

/** Records what reaches the emulator: the commit writes and the structured queries. */
function recordWire() {
  const state = emulator.state;
  const writes: Array<{ write: RecordedWrite; has: { mask: boolean; precondition: boolean } }> = [];
  const queries: Array<Record<string, unknown>> = [];
  const originalWrite = state.writeV1Document.bind(state);
  const originalQuery = state.v1Query.bind(state);
  state.writeV1Document = (date, write) => {
    writes.push({
      write: write.toObject() as RecordedWrite,
      has: {
        mask: write.has_update_mask,
        precondition: write.has_current_document && write.current_document.has_update_time,
      },
    });
    return originalWrite(date, write);
  };
  state.v1Query = (parent, query) => {
    queries.push(query.toObject() as Record<string, unknown>);
    return originalQuery(parent, query);
  };
  return {
    writes,
    queries,
    restore: () => {
      state.writeV1Document = originalWrite;
      state.v1Query = originalQuery;
    },
  };
}

describe("FirestoreDocumentStore: what the adapter asks Firestore for", () => {
  let store: FirestoreDocumentStore;
  let wire: ReturnType<typeof recordWire>;
  beforeAll(() => {
    store = new FirestoreDocumentStore({ projectId: demoProject() });
  });
  afterAll(async () => {
    await store.close();
  });

  const recorded = async (fn: () => Promise<unknown>) => {
    wire = recordWire();
    try {
      await fn();
    } finally {
      wire.restore();
    }
    return wire;
  };

  it("set is a full replacement (no update mask)", async () => {
    const { writes } = await recorded(() => store.set("wire_set", "d", { c: 3 }));
    expect(writes).toHaveLength(1);
    expect(writes[0]?.has.mask).toBe(false);
    expect(writes[0]?.write.update?.name).toMatch(/\/documents\/wire_set\/d$/);
  });

  it("update sends dotted paths and deletes in the mask and every transform", async () => {
    await store.create("wire_update", "d", { a: 1, tags: ["a"], count: 1, gone: "x" });
    const { writes } = await recorded(() =>
      store.update("wire_update", "d", {
        "nested.x": 10,
        tags: fieldValue.arrayUnion("b"),
        untag: fieldValue.arrayRemove("z"),
        gone: fieldValue.delete(),
        count: fieldValue.increment(4),
      }),
    );
    const write = writes[0]?.write;
    expect(write?.update_mask?.field_paths.sort()).toEqual(["gone", "nested.x"]);
    const transforms = Object.fromEntries((write?.update_transforms ?? []).map((t) => [t.field_path as string, t]));
    expect(Object.keys(transforms).sort()).toEqual(["count", "tags", "untag"]);
    expect(transforms.count).toHaveProperty("increment.integer_value", 4);
    expect(transforms.tags).toHaveProperty("append_missing_elements.values.0.string_value", "b");
    expect(transforms.untag).toHaveProperty("remove_all_from_array.values.0.string_value", "z");
    expect(write?.current_document?.exists).toBe(true);
  });

  it("update and delete with ifRevision carry the revision as an update_time precondition", async () => {
    const created = await store.create("wire_precondition", "d", { v: 1 });
    const [seconds, nanos] = created.revision.split(".").map(Number) as [number, number];
    const { writes } = await recorded(async () => {
      await store.update("wire_precondition", "d", { v: 2 }, { ifRevision: created.revision });
      const current = await store.get("wire_precondition", "d");
      await store.delete("wire_precondition", "d", { ifRevision: current?.revision });
    });
    expect(writes.map((entry) => entry.has.precondition)).toEqual([true, true]);
    expect(writes[0]?.write.current_document?.update_time).toEqual({ seconds, nanos });
    expect(writes[1]?.write.delete).toMatch(/\/wire_precondition\/d$/);
  });

  it("a page query orders by the field then the id, resumes with startAfter and asks one extra", async () => {
    const cursor = encodeCursor({ value: 1, id: "d4" });
    const { queries } = await recorded(() =>
      store.query("wire_query", {
        where: [{ field: "group", op: "==", value: "g" }],
        orderBy: { field: "n", direction: "desc" },
        limit: 2,
        cursor,
      }),
    );
    expect(queries[0]).toMatchObject({
      order_by: [
        { field: { field_path: "n" }, direction: 2 },
        { field: { field_path: "__name__" }, direction: 2 },
      ],
      start_at: {
        before: false,
        values: [{ integer_value: 1 }, { reference_value: expect.stringMatching(/\/documents\/wire_query\/d4$/) }],
      },
      limit: { value: 3 },
    });
  });

  it("a range query without an order is ordered by the range field, as Firestore does", async () => {
    const { queries } = await recorded(() =>
      store.query("wire_range", { where: [{ field: "n", op: ">", value: 1 }], limit: 5 }),
    );
    expect(queries[0]).toMatchObject({
      order_by: [
        { field: { field_path: "n" }, direction: 1 },
        { field: { field_path: "__name__" }, direction: 1 },
      ],
    });
  });

  it("a batch is one commit", async () => {
    const { writes } = await recorded(() =>
      store.batch([
        { kind: "create", collection: "wire_batch", id: "a", data: { v: 1 } },
        { kind: "set", collection: "wire_batch", id: "b", data: { v: 2 } },
        { kind: "delete", collection: "wire_batch", id: "c" },
      ]),
    );
    // The emulator hands every write of one Commit to the state in one synchronous loop.
    expect(writes).toHaveLength(3);
  });
});

describe("FirestoreDocumentStore specifics", () => {
  it("reads Firestore timestamps back as ISO strings and writes Dates as ISO strings", async () => {
    const projectId = demoProject();
    const raw = new Firestore({ projectId });
    await raw
      .collection("stamps")
      .doc("t")
      .set({
        at: Timestamp.fromDate(new Date("2026-03-04T05:06:07.890Z")),
        nested: { list: [Timestamp.fromMillis(0)] },
      });
    await raw.terminate();
    const store = new FirestoreDocumentStore({ projectId });
    expect((await store.get("stamps", "t"))?.data).toEqual({
      at: "2026-03-04T05:06:07.890Z",
      nested: { list: ["1970-01-01T00:00:00.000Z"] },
    });
    await store.set("stamps", "d", { at: new Date("2026-01-01T00:00:00.000Z") });
    expect((await store.get("stamps", "d"))?.data.at).toBe("2026-01-01T00:00:00.000Z");
    await store.close();
  });

  it("accepts a ready Firestore client", async () => {
    const store = new FirestoreDocumentStore(new Firestore({ projectId: demoProject() }));
    await store.set("things", "a", { v: 1 });
    expect((await store.getMany("things", ["a", "a", "b"])).map((doc) => doc?.data.v ?? null)).toEqual([1, 1, null]);
    await store.close();
  });

  it.each([
    [
      "a collection with a slash",
      () => new FirestoreDocumentStore({ projectId: "demo-x" }).get("a/b", "c"),
      "invalid",
      "invalid_collection",
    ],
    [
      "a document id with a slash",
      () => new FirestoreDocumentStore({ projectId: "demo-x" }).set("things", "a/b", { v: 1 }),
      "invalid",
      "invalid_document_id",
    ],
    [
      "a revision from another backend",
      () => new FirestoreDocumentStore({ projectId: "demo-x" }).update("things", "a", { v: 1 }, { ifRevision: "3" }),
      "invalid",
      "invalid_revision",
    ],
    [
      "nested arrays",
      () => new FirestoreDocumentStore({ projectId: "demo-x" }).set("things", "a", { grid: [[1]] }),
      "invalid",
      "nested_array",
    ],
    [
      "an array pushed into an array",
      () =>
        new FirestoreDocumentStore({ projectId: "demo-x" }).update("things", "a", { list: fieldValue.arrayUnion([1]) }),
      "invalid",
      "nested_array",
    ],
    [
      "a batch of 501 writes",
      () =>
        new FirestoreDocumentStore({ projectId: "demo-x" }).batch(
          Array.from({ length: 501 }, (_, i) => ({ kind: "delete" as const, collection: "things", id: `d${i}` })),
        ),
      "invalid",
      "batch_too_large",
    ],
    [
      "a cursor naming an impossible document",
      () =>
        new FirestoreDocumentStore({ projectId: "demo-x" }).query("things", {
          orderBy: { field: "n" },
          cursor: encodeCursor({ value: 1, id: "../x" }),
        }),
      "invalid",
      "invalid_cursor",
    ],
  ])("refuses %s", async (_name, call, code, reason) => {
    await expect(call()).rejects.toMatchObject({ code, reason });
  });

  it("refuses calls once closed", async () => {
    const store = new FirestoreDocumentStore({ projectId: demoProject() });
    await store.close();
    await expect(store.get("things", "a")).rejects.toMatchObject({ code: "unavailable", reason: "store_closed" });
  });

  it.each<[string, number, Operation, string, string]>([
    ["ALREADY_EXISTS", 6, "write", "conflict", "already_exists"],
    ["NOT_FOUND", 5, "write", "not_found", "document_missing"],
    ["FAILED_PRECONDITION on a write", 9, "write", "precondition_failed", "revision_mismatch"],
    ["FAILED_PRECONDITION on a query (missing index)", 9, "query", "internal", "missing_index"],
    ["ABORTED", 10, "transaction", "conflict", "transaction_contention"],
    ["UNAVAILABLE", 14, "read", "unavailable", "store_unavailable"],
    ["DEADLINE_EXCEEDED", 4, "read", "unavailable", "store_unavailable"],
    ["INVALID_ARGUMENT", 3, "write", "invalid", "invalid_document"],
    ["PERMISSION_DENIED", 7, "read", "internal", "store_error"],
  ])("maps gRPC %s to a DomainError", (_name, code, operation, expectedCode, reason) => {
    const mapped = toDomainError(Object.assign(new Error("grpc"), { code }), operation, "things/a");
    expect(mapped).toBeInstanceOf(DomainError);
    expect(mapped).toMatchObject({ code: expectedCode, reason });
  });

  it("leaves the caller's own errors alone", () => {
    const own = new Error("abort");
    expect(toDomainError(own, "transaction", "a transaction")).toBe(own);
  });
});
