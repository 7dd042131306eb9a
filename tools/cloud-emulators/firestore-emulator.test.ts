import { FirestoreServer } from "@firestore-emulator/server";
import { FieldPath, FieldValue, Firestore, Timestamp } from "firebase-admin/firestore";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./free-port";

/**
 * The patched Firestore emulator (patches/@firestore-emulator+server+0.3.15.patch) through
 * firebase-admin, for what the document-store contract does not reach: cursors of every kind,
 * collection groups, cross-type number order, no-op writes, transforms on nested paths, and
 * transactions meeting non-transactional writes or an idle lock holder.
 */

const emulator = new FirestoreServer();
let projects = 0;
const clients: Firestore[] = [];

function client(projectId = `demo-semantics-${++projects}`): Firestore {
  const db = new Firestore({ projectId, ignoreUndefinedProperties: true });
  clients.push(db);
  return db;
}

beforeAll(async () => {
  const port = await freePort();
  await emulator.start(port);
  // firebase-admin talks to the emulator (no credentials) when this is set.
  process.env.FIRESTORE_EMULATOR_HOST = `127.0.0.1:${port}`;
});
afterAll(async () => {
  await Promise.all(clients.map((db) => db.terminate()));
  emulator.stop();
});

const ids = (snapshot: { docs: Array<{ id: string }> }) => snapshot.docs.map((doc) => doc.id);

describe("writes", () => {
  it("set with merge keeps other fields; set without replaces; update deletes nested paths", async () => {
    const ref = client().doc("things/a");
    await ref.set({ a: 1, nested: { x: 1, y: 2 } });
    await ref.set({ b: 2 }, { merge: true });
    expect((await ref.get()).data()).toEqual({ a: 1, b: 2, nested: { x: 1, y: 2 } });
    await ref.update({ "nested.x": FieldValue.delete() });
    expect((await ref.get()).data()).toEqual({ a: 1, b: 2, nested: { y: 2 } });
    await ref.set({ c: 3 });
    expect((await ref.get()).data()).toEqual({ c: 3 });
  });

  it("runs every transform of a write in order, on nested and missing fields", async () => {
    const ref = client().doc("things/t");
    await ref.set({ stats: { n: 1, tags: ["a"] }, max: 5 });
    await ref.update({
      "stats.n": FieldValue.increment(2.5),
      "stats.tags": FieldValue.arrayUnion("b", "a", "b"),
      "stats.gone": FieldValue.arrayRemove("x"),
      "fresh.count": FieldValue.increment(1),
      max: FieldValue.increment(-1),
      at: FieldValue.serverTimestamp(),
    });
    const data = (await ref.get()).data() as Record<string, unknown>;
    expect(data).toMatchObject({ stats: { n: 3.5, tags: ["a", "b"], gone: [] }, fresh: { count: 1 }, max: 4 });
    expect(data.at).toBeInstanceOf(Timestamp);
  });

  it("gives writes in one millisecond different update times; a write that changes nothing keeps it", async () => {
    const ref = client().doc("things/v");
    const first = await ref.set({ v: 1 });
    const second = await ref.set({ v: 2 });
    expect(second.writeTime.isEqual(first.writeTime)).toBe(false);
    expect(second.writeTime > first.writeTime).toBe(true);
    const same = await ref.set({ v: 2 });
    expect(same.writeTime.isEqual(second.writeTime)).toBe(true);
    expect((await ref.get()).updateTime?.isEqual(second.writeTime)).toBe(true);
  });

  it("checks exists and update_time preconditions, and a failing batch writes nothing", async () => {
    const db = client();
    const written = await db.doc("things/p").set({ v: 1 });
    await db.doc("things/p").set({ v: 2 });
    await expect(db.doc("things/p").update({ v: 3 }, { lastUpdateTime: written.writeTime })).rejects.toMatchObject({
      code: 9,
    });
    await expect(db.doc("things/p").delete({ lastUpdateTime: written.writeTime })).rejects.toMatchObject({ code: 9 });
    await expect(db.doc("things/missing").update({ v: 1 })).rejects.toMatchObject({ code: 5 });
    await expect(db.doc("things/missing").delete({ exists: true })).rejects.toMatchObject({ code: 5 });
    const batch = db.batch();
    batch.set(db.doc("things/q"), { v: 1 });
    batch.delete(db.doc("things/p"));
    batch.create(db.doc("things/p"), { v: 9 });
    batch.create(db.doc("things/p"), { v: 10 });
    await expect(batch.commit()).rejects.toMatchObject({ code: 6 });
    expect((await db.doc("things/q").get()).exists).toBe(false);
    expect((await db.doc("things/p").get()).data()).toEqual({ v: 2 });
  });
});

describe("limits Firestore enforces", () => {
  it("refuses a document over 1 MiB and a filter with more than 30 values", async () => {
    const db = client();
    await db.doc("big/ok").set({ text: "x".repeat(1_000_000) });
    await expect(db.doc("big/too").set({ text: "x".repeat(1_048_576) })).rejects.toMatchObject({ code: 3 });
    expect((await db.doc("big/too").get()).exists).toBe(false);
    const values = Array.from({ length: 31 }, (_, i) => i);
    await expect(db.collection("big").where("n", "in", values).get()).rejects.toMatchObject({ code: 3 });
    expect((await db.collection("big").where("n", "in", values.slice(0, 30)).get()).size).toBe(0);
  });
});

describe("queries", () => {
  let db: Firestore;
  beforeAll(async () => {
    db = client();
    const rows: Array<[string, Record<string, unknown>]> = [
      ["a", { n: 1, meta: { rank: 3 }, s: "x" }],
      ["b", { n: 1.5, meta: { rank: 1 }, s: "y" }],
      ["c", { n: 2, meta: { rank: 2 } }],
      ["d", { n: "2", meta: { rank: 2 } }],
      ["e", { n: null }],
      ["f", { other: true }],
    ];
    for (const [id, data] of rows) await db.collection("rows").doc(id).set(data);
  });

  it("orders numbers across integers and doubles, types in Firestore's order, leaving out missing fields", async () => {
    expect(ids(await db.collection("rows").orderBy("n").get())).toEqual(["e", "a", "b", "c", "d"]);
    expect(ids(await db.collection("rows").where("n", ">", 1).get())).toEqual(["b", "c"]);
    expect(ids(await db.collection("rows").where("n", "in", [2, "2"]).get()).sort()).toEqual(["c", "d"]);
    expect(ids(await db.collection("rows").where("n", "!=", 1).get())).toEqual(["b", "c", "d"]);
  });

  it("orders and filters on nested fields, ties broken by document id", async () => {
    expect(ids(await db.collection("rows").orderBy("meta.rank", "desc").get())).toEqual(["a", "d", "c", "b"]);
    expect(ids(await db.collection("rows").where("meta.rank", "==", 2).get())).toEqual(["c", "d"]);
  });

  it("honours startAt, startAfter, endAt and endBefore on values and document ids, offset and limit", async () => {
    const byRank = db.collection("rows").orderBy("meta.rank").orderBy(FieldPath.documentId());
    expect(ids(await byRank.startAfter(2, "c").get())).toEqual(["d", "a"]);
    expect(ids(await byRank.startAt(2).get())).toEqual(["c", "d", "a"]);
    expect(ids(await byRank.endBefore(2, "d").get())).toEqual(["b", "c"]);
    expect(ids(await byRank.endAt(2).get())).toEqual(["b", "c", "d"]);
    expect(ids(await byRank.offset(1).limit(2).get())).toEqual(["c", "d"]);
    const byId = db.collection("rows").orderBy(FieldPath.documentId());
    expect(ids(await byId.startAfter("d").get())).toEqual(["e", "f"]);
    expect(ids(await db.collection("rows").where(FieldPath.documentId(), "in", ["b", "z"]).get())).toEqual(["b"]);
    expect(ids(await db.collection("rows").orderBy("n").limitToLast(2).get())).toEqual(["c", "d"]);
  });

  it("counts with filters and finds collection groups", async () => {
    expect((await db.collection("rows").where("meta.rank", ">=", 2).count().get()).data().count).toBe(3);
    await db.doc("robots/r1/episodes/e1").set({ k: 1 });
    await db.doc("robots/r2/episodes/e2").set({ k: 2 });
    await db.doc("episodes/top").set({ k: 3 });
    expect(ids(await db.collectionGroup("episodes").orderBy("k").get())).toEqual(["e1", "e2", "top"]);
  });
});

describe("transactions", () => {
  it("retry when a non-transactional write changes what they read", async () => {
    const db = client();
    const ref = db.doc("counters/c");
    await ref.set({ n: 0 });
    let attempts = 0;
    await db.runTransaction(async (tx) => {
      attempts++;
      const n = (await tx.get(ref)).get("n") as number;
      if (attempts === 1) await ref.update({ n: FieldValue.increment(10) });
      tx.update(ref, { n: n + 1 });
    });
    expect(attempts).toBe(2);
    expect((await ref.get()).get("n")).toBe(11);
  });

  it("run one at a time per database, without lost updates", async () => {
    const db = client();
    const ref = db.doc("counters/c");
    await ref.set({ n: 0 });
    await Promise.all(
      Array.from({ length: 8 }, () =>
        db.runTransaction(async (tx) => {
          const n = (await tx.get(ref)).get("n") as number;
          await new Promise((resolve) => setTimeout(resolve, 2));
          tx.update(ref, { n: n + 1 });
        }),
      ),
    );
    expect((await ref.get()).get("n")).toBe(8);
  });

  it("a holder idle on its lock while others wait is expired: the waiter runs, the holder's commit aborts", async () => {
    const db = client();
    const ref = db.doc("locks/idle");
    await ref.set({ by: "nobody" });
    (emulator.state as unknown as { lockIdleMs: number }).lockIdleMs = 150;
    try {
      let holderRead!: () => void;
      const read = new Promise<void>((resolve) => (holderRead = resolve));
      const holder = db.runTransaction(
        async (tx) => {
          await tx.get(ref);
          holderRead();
          await new Promise((resolve) => setTimeout(resolve, 800));
          tx.update(ref, { by: "holder" });
        },
        { maxAttempts: 1 },
      );
      await read;
      const started = Date.now();
      await db.runTransaction(async (tx) => {
        await tx.get(ref);
        tx.update(ref, { by: "waiter" });
      });
      expect(Date.now() - started).toBeLessThan(700);
      await expect(holder).rejects.toMatchObject({ code: 10 });
      expect((await ref.get()).get("by")).toBe("waiter");
    } finally {
      delete (emulator.state as unknown as { lockIdleMs?: number }).lockIdleMs;
    }
  });

  it("a rolled-back transaction releases its lock", async () => {
    const db = client();
    const ref = db.doc("locks/l");
    await expect(
      db.runTransaction(async (tx) => {
        await tx.get(ref);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    await db.runTransaction(async (tx) => {
      await tx.get(ref);
      tx.set(ref, { ok: true });
    });
    expect((await ref.get()).data()).toEqual({ ok: true });
  });
});
