import {
  DocumentReference,
  FieldPath,
  FieldValue,
  Firestore,
  GeoPoint,
  Timestamp,
  type DocumentSnapshot,
  WriteBatch,
  type Precondition,
  type Query as FirestoreQuery,
  type Transaction as FirestoreTransaction,
} from "firebase-admin/firestore";
import { DomainError } from "@/lib/errors";
import { decodeCursor, encodeCursor } from "@/lib/storage/cursor";
import { assertDocumentId, isDocumentId } from "@/lib/storage/document-id";
import { assertFieldPath, getField, normalizeData, normalizeValue } from "@/lib/storage/field-path";
import {
  isFieldTransform,
  type DocumentData,
  type DocumentStore,
  type Query,
  type QueryPage,
  type StoredDocument,
  type Transaction,
  type UpdateOptions,
  type UpdatePatch,
  type WriteOp,
} from "@/lib/storage/port";
import { planQuery, type QueryShape } from "@/lib/storage/query-plan";

/** Where to find the database when the caller does not hand over a ready client. */
export interface FirestoreConnection {
  projectId: string;
  /** A named database; `(default)` when absent. */
  databaseId?: string;
}

/** Same rule as the SQLite adapter, so a collection name is valid on both backends. */
const COLLECTION_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const MAX_BATCH_WRITES = 500;
const MAX_TRANSACTION_ATTEMPTS = 20;
const DEFAULT_LIMIT = 1000;
/** `getAll` fans out one RPC per call; keep each one modest. */
const GET_MANY_CHUNK = 100;

/** gRPC status codes firebase-admin reports in `error.code`. */
const GRPC = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNAVAILABLE: 14,
} as const;

/** What the failing call was doing decides what FAILED_PRECONDITION means. */
export type Operation = "read" | "write" | "query" | "transaction";

function collectionName(collection: string): string {
  if (!COLLECTION_NAME.test(collection)) {
    throw new DomainError("invalid", `Collection name "${collection}" is not valid.`, { reason: "invalid_collection" });
  }
  return collection;
}

/** Revisions are update times: `seconds.nanoseconds`, exact to the nanosecond Firestore keeps. */
function revisionOf(time: Timestamp): string {
  return `${time.seconds}.${String(time.nanoseconds).padStart(9, "0")}`;
}

function timestampOf(revision: string, where: string): Timestamp {
  const match = /^(\d{1,12})\.(\d{9})$/.exec(revision);
  if (!match) {
    throw new DomainError(
      "invalid",
      `Revision "${revision.slice(0, 40)}" given for ${where} is not one this store issued.`,
      {
        reason: "invalid_revision",
      },
    );
  }
  return new Timestamp(Number(match[1]), Number(match[2]));
}

/**
 * Firestore's own types never cross the port: timestamps become ISO strings (the adapter only
 * writes strings, but documents written by other tools may hold real timestamps), references
 * become their path, geo points and bytes become plain JSON.
 */
function fromFirestore(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (value instanceof DocumentReference) return value.path;
  if (value instanceof GeoPoint) return { latitude: value.latitude, longitude: value.longitude };
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(fromFirestore);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = fromFirestore(item);
    return out;
  }
  return value;
}

function toStored(snapshot: DocumentSnapshot): StoredDocument {
  const time = snapshot.updateTime;
  if (!snapshot.exists || !time) throw new DomainError("internal", `${snapshot.ref.path} has no update time.`);
  return { id: snapshot.id, data: fromFirestore(snapshot.data() ?? {}) as DocumentData, revision: revisionOf(time) };
}

/** The port's update patch in Firestore's vocabulary: dotted keys stay field paths, transforms map to FieldValue. */
function toFirestorePatch(patch: UpdatePatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(patch)) {
    assertFieldPath(path);
    if (value === undefined) continue;
    if (!isFieldTransform(value)) {
      out[path] = normalizeValue(value, path);
      continue;
    }
    switch (value.__transform) {
      case "delete":
        out[path] = FieldValue.delete();
        break;
      case "increment":
        out[path] = FieldValue.increment(value.by);
        break;
      case "arrayUnion":
        out[path] = FieldValue.arrayUnion(...value.values.map((item) => normalizeValue(item, path, true)));
        break;
      case "arrayRemove":
        out[path] = FieldValue.arrayRemove(...value.values.map((item) => normalizeValue(item, path, true)));
        break;
    }
  }
  return out;
}

function grpcCode(error: unknown): number | undefined {
  if (error instanceof DomainError || typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

/**
 * Turn a Firestore failure into the port's error. Errors without a gRPC code (the caller's own,
 * or a DomainError) pass through untouched. Exported for its table test.
 */
export function toDomainError(error: unknown, operation: Operation, target: string): unknown {
  const code = grpcCode(error);
  if (code === undefined) return error;
  const cause = error;
  switch (code) {
    case GRPC.ALREADY_EXISTS:
      return new DomainError("conflict", `${target} already exists.`, { reason: "already_exists", cause });
    case GRPC.NOT_FOUND:
      return new DomainError("not_found", `${target} does not exist.`, { reason: "document_missing", cause });
    case GRPC.FAILED_PRECONDITION:
      // On a query, Firestore says this when a composite index is missing.
      if (operation === "query") {
        return new DomainError(
          "internal",
          `Query on ${target} needs a composite index that is not deployed (firestore.indexes.json).`,
          {
            reason: "missing_index",
            cause,
          },
        );
      }
      return new DomainError("precondition_failed", `${target} changed since it was read.`, {
        reason: "revision_mismatch",
        cause,
      });
    case GRPC.ABORTED:
      return new DomainError("conflict", "Too many concurrent writers; try again.", {
        reason: "transaction_contention",
        cause,
      });
    case GRPC.INVALID_ARGUMENT:
      return new DomainError("invalid", `Firestore refused the request on ${target}.`, {
        reason: "invalid_document",
        cause,
      });
    case GRPC.RESOURCE_EXHAUSTED:
    case GRPC.UNAVAILABLE:
    case GRPC.DEADLINE_EXCEEDED:
      return new DomainError("unavailable", `Firestore cannot be reached (${target}); try again.`, {
        reason: "store_unavailable",
        cause,
      });
    default:
      return new DomainError("internal", `Firestore failed on ${target}.`, { reason: "store_error", cause });
  }
}

/** The port's JSON, checked for what Firestore cannot hold. */
function toFirestoreData(data: DocumentData): DocumentData {
  return normalizeData(data);
}

/**
 * firebase-admin validates documents on the client and throws plain errors (nested arrays,
 * unsupported values); those are the caller's bad input, so they become `invalid`.
 */
function buildWrite<T>(target: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DomainError("invalid", `${target} cannot be stored: ${(error as Error).message}`, {
      reason: "invalid_document",
      cause: error,
    });
  }
}

/** The write calls a batch and a transaction share (their overloads do not unify as a union). */
interface Writer {
  create(ref: DocumentReference, data: DocumentData): void;
  set(ref: DocumentReference, data: DocumentData): void;
  update(ref: DocumentReference, patch: Record<string, unknown>, precondition?: Precondition): void;
  delete(ref: DocumentReference, precondition?: Precondition): void;
}

function writerOf(target: WriteBatch | FirestoreTransaction): Writer {
  if (target instanceof WriteBatch) {
    return {
      create: (ref, data) => void target.create(ref, data),
      set: (ref, data) => void target.set(ref, data),
      update: (ref, patch, precondition) =>
        void (precondition ? target.update(ref, patch, precondition) : target.update(ref, patch)),
      delete: (ref, precondition) => void (precondition ? target.delete(ref, precondition) : target.delete(ref)),
    };
  }
  return {
    create: (ref, data) => void target.create(ref, data),
    set: (ref, data) => void target.set(ref, data),
    update: (ref, patch, precondition) =>
      void (precondition ? target.update(ref, patch, precondition) : target.update(ref, patch)),
    delete: (ref, precondition) => void (precondition ? target.delete(ref, precondition) : target.delete(ref)),
  };
}

/**
 * The cloud document store on Firestore (firebase-admin). It means exactly what the SQLite
 * adapter means: documents cross the port as plain JSON with ISO-string timestamps, the revision
 * is the update time (checked with a `lastUpdateTime` precondition), cursors are the shared
 * opaque cursor resolved with `startAfter` on the order field and the document id.
 *
 * The emulator is chosen by the caller (firebase-admin honours `FIRESTORE_EMULATOR_HOST` when it
 * builds the client); this class never reads the environment.
 */
export class FirestoreDocumentStore implements DocumentStore {
  private readonly db: Firestore;
  private closed = false;

  /**
   * @param client a ready firebase-admin client (used as it is configured), or where to connect:
   *   then the client is built with `ignoreUndefinedProperties`. Either way undefined fields never
   *   reach Firestore, since documents are normalized first.
   */
  constructor(client: Firestore | FirestoreConnection) {
    this.db =
      client instanceof Firestore
        ? client
        : new Firestore({
            projectId: client.projectId,
            ...(client.databaseId ? { databaseId: client.databaseId } : {}),
            ignoreUndefinedProperties: true,
          });
  }

  private assertOpen(): void {
    if (this.closed) throw new DomainError("unavailable", "The document store is closed.", { reason: "store_closed" });
  }

  /**
   * No document can have an invalid id, so a read of one answers absent, as in every adapter (ids
   * often come from a URL); the collection name is still checked.
   */
  private impossibleId(collection: string, id: string): boolean {
    collectionName(collection);
    return !isDocumentId(id);
  }

  private ref(collection: string, id: string): DocumentReference {
    assertDocumentId(id);
    return this.db.collection(collectionName(collection)).doc(id);
  }

  /** Run one call against Firestore, translating its errors. */
  private async call<T>(operation: Operation, target: string, fn: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await fn();
    } catch (error) {
      throw toDomainError(error, operation, target);
    }
  }

  async get(collection: string, id: string): Promise<StoredDocument | null> {
    if (this.impossibleId(collection, id)) return null;
    const ref = this.ref(collection, id);
    return this.call("read", ref.path, async () => {
      const snapshot = await ref.get();
      return snapshot.exists ? toStored(snapshot) : null;
    });
  }

  async getMany(collection: string, ids: readonly string[]): Promise<(StoredDocument | null)[]> {
    const unique = [...new Set(ids)].filter((id) => !this.impossibleId(collection, id));
    const refs = unique.map((id) => this.ref(collection, id));
    const found = new Map<string, StoredDocument>();
    await this.call("read", collection, async () => {
      for (let i = 0; i < refs.length; i += GET_MANY_CHUNK) {
        const snapshots = await this.db.getAll(...refs.slice(i, i + GET_MANY_CHUNK));
        for (const snapshot of snapshots) if (snapshot.exists) found.set(snapshot.id, toStored(snapshot));
      }
    });
    return ids.map((id) => found.get(id) ?? null);
  }

  async create(collection: string, id: string, data: DocumentData): Promise<StoredDocument> {
    const ref = this.ref(collection, id);
    const normalized = toFirestoreData(data);
    return this.call("write", ref.path, async () => {
      const result = await buildWrite(ref.path, () => ref.create(normalized));
      return { id, data: normalized, revision: revisionOf(result.writeTime) };
    });
  }

  async set(collection: string, id: string, data: DocumentData): Promise<StoredDocument> {
    const ref = this.ref(collection, id);
    const normalized = toFirestoreData(data);
    return this.call("write", ref.path, async () => {
      const result = await buildWrite(ref.path, () => ref.set(normalized));
      return { id, data: normalized, revision: revisionOf(result.writeTime) };
    });
  }

  /**
   * Firestore's update answers only with the write time, so the document is read back for the
   * port's answer; if another writer got in between, the caller sees that newer state with its
   * own revision, which is still a consistent pair.
   */
  async update(collection: string, id: string, patch: UpdatePatch, options?: UpdateOptions): Promise<StoredDocument> {
    const ref = this.ref(collection, id);
    if (Object.keys(patch).length === 0) {
      throw new DomainError("invalid", `The update of ${ref.path} changes no field.`, { reason: "empty_update" });
    }
    const firestorePatch = toFirestorePatch(patch);
    const precondition =
      options?.ifRevision !== undefined ? { lastUpdateTime: timestampOf(options.ifRevision, ref.path) } : undefined;
    return this.call("write", ref.path, async () => {
      if (Object.keys(firestorePatch).length > 0) {
        await buildWrite(ref.path, () =>
          precondition ? ref.update(firestorePatch, precondition) : ref.update(firestorePatch),
        );
      }
      const snapshot = await ref.get();
      if (!snapshot.exists)
        throw new DomainError("not_found", `${ref.path} does not exist.`, { reason: "document_missing" });
      const stored = toStored(snapshot);
      if (
        Object.keys(firestorePatch).length === 0 &&
        options?.ifRevision !== undefined &&
        stored.revision !== options.ifRevision
      ) {
        throw new DomainError("precondition_failed", `${ref.path} changed since it was read.`, {
          reason: "revision_mismatch",
        });
      }
      return stored;
    });
  }

  async delete(collection: string, id: string, options?: UpdateOptions): Promise<void> {
    const ref = this.ref(collection, id);
    const precondition =
      options?.ifRevision !== undefined ? { lastUpdateTime: timestampOf(options.ifRevision, ref.path) } : undefined;
    await this.call("write", ref.path, async () => {
      await (precondition ? ref.delete(precondition) : ref.delete());
    });
  }

  /**
   * The Firestore query for a port query. The order is always explicit and ends with the
   * document id in the same direction (what Firestore does implicitly, so the declared composite
   * indexes serve it), which makes `startAfter(value, id)` resume exactly after the last document.
   */
  private buildQuery(
    collection: string,
    query: Query,
    shape: QueryShape,
  ): { firestoreQuery: FirestoreQuery; orderField?: string } {
    let firestoreQuery: FirestoreQuery = this.db.collection(collectionName(collection));
    for (const filter of query.where ?? []) {
      const value =
        filter.op === "in"
          ? (filter.value as unknown[]).map((item) => normalizeValue(item, filter.field))
          : normalizeValue(filter.value);
      firestoreQuery = firestoreQuery.where(filter.field, filter.op, value);
    }
    // Without an explicit order, Firestore orders a range query by the range field first.
    const orderField = shape.orderBy?.field ?? (shape.inequality?.op === "range" ? shape.inequality.field : undefined);
    const direction = shape.orderBy?.direction ?? "asc";
    if (orderField !== undefined) firestoreQuery = firestoreQuery.orderBy(orderField, direction);
    firestoreQuery = firestoreQuery.orderBy(FieldPath.documentId(), direction);
    if (query.cursor) {
      const position = decodeCursor(query.cursor);
      try {
        assertDocumentId(position.id);
      } catch {
        throw new DomainError("invalid", "The page cursor is not one this server issued.", {
          reason: "invalid_cursor",
        });
      }
      firestoreQuery =
        orderField !== undefined
          ? firestoreQuery.startAfter(normalizeValue(position.value ?? null), position.id)
          : firestoreQuery.startAfter(position.id);
    }
    return { firestoreQuery: firestoreQuery.limit((query.limit ?? DEFAULT_LIMIT) + 1), orderField };
  }

  private async runQuery(
    collection: string,
    query: Query,
    read: (firestoreQuery: FirestoreQuery) => Promise<{ docs: DocumentSnapshot[] }>,
  ): Promise<QueryPage> {
    const shape = planQuery(query);
    const { firestoreQuery, orderField } = this.buildQuery(collection, query, shape);
    const snapshot = await read(firestoreQuery);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const docs = snapshot.docs.slice(0, limit).map(toStored);
    const last = docs[docs.length - 1];
    const nextCursor =
      snapshot.docs.length > limit && last
        ? encodeCursor(
            orderField !== undefined ? { value: getField(last.data, orderField), id: last.id } : { id: last.id },
          )
        : null;
    return { docs, nextCursor };
  }

  async query(collection: string, query: Query): Promise<QueryPage> {
    this.assertOpen();
    // Validation (planQuery, cursor) happens before the call, so its `invalid` errors stay as they are.
    return this.call("query", collection, () =>
      this.runQuery(collection, query, (firestoreQuery) => firestoreQuery.get()),
    );
  }

  async count(collection: string, query: Pick<Query, "where">): Promise<number> {
    this.assertOpen();
    planQuery(query);
    let firestoreQuery: FirestoreQuery = this.db.collection(collectionName(collection));
    for (const filter of query.where ?? []) {
      const value =
        filter.op === "in"
          ? (filter.value as unknown[]).map((item) => normalizeValue(item, filter.field))
          : normalizeValue(filter.value);
      firestoreQuery = firestoreQuery.where(filter.field, filter.op, value);
    }
    return this.call("query", collection, async () => (await firestoreQuery.count().get()).data().count);
  }

  /** Queue one port write on a batch or transaction (see `writerOf`). */
  private addWrite(target: Writer, op: WriteOp): void {
    const ref = this.ref(op.collection, op.id);
    switch (op.kind) {
      case "create": {
        const data = toFirestoreData(op.data);
        buildWrite(ref.path, () => target.create(ref, data));
        return;
      }
      case "set": {
        const data = toFirestoreData(op.data);
        buildWrite(ref.path, () => target.set(ref, data));
        return;
      }
      case "update": {
        const patch = toFirestorePatch(op.patch);
        if (Object.keys(patch).length === 0) {
          throw new DomainError("invalid", `The update of ${ref.path} changes no field.`, { reason: "empty_update" });
        }
        const revision = op.options?.ifRevision;
        buildWrite(ref.path, () =>
          revision !== undefined
            ? target.update(ref, patch, { lastUpdateTime: timestampOf(revision, ref.path) })
            : target.update(ref, patch),
        );
        return;
      }
      case "delete": {
        const revision = op.options?.ifRevision;
        buildWrite(ref.path, () =>
          revision !== undefined
            ? target.delete(ref, { lastUpdateTime: timestampOf(revision, ref.path) })
            : target.delete(ref),
        );
        return;
      }
    }
  }

  async batch(ops: readonly WriteOp[]): Promise<void> {
    this.assertOpen();
    if (ops.length > MAX_BATCH_WRITES) {
      throw new DomainError("invalid", `A batch holds at most ${MAX_BATCH_WRITES} writes.`, {
        reason: "batch_too_large",
      });
    }
    if (ops.length === 0) return;
    const batch = this.db.batch();
    const writer = writerOf(batch);
    for (const op of ops) this.addWrite(writer, op);
    await this.call("write", `a batch of ${ops.length} writes`, async () => {
      await batch.commit();
    });
  }

  async runTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.assertOpen();
    const readAfterWrite = () =>
      new DomainError("internal", "Transactions must read before they write.", { reason: "read_after_write" });
    // Errors from reads inside `fn` reach firebase-admin untranslated, so it can tell which ones
    // to retry (ABORTED, UNAVAILABLE...); they are translated once, on the way out.
    return this.call("transaction", "a transaction", () =>
      this.db.runTransaction(
        async (firestoreTx) => {
          let wrote = false;
          const writer = writerOf(firestoreTx);
          const queue = (op: WriteOp) => {
            wrote = true;
            this.addWrite(writer, op);
          };
          const tx: Transaction = {
            get: async (collection, id) => {
              if (wrote) throw readAfterWrite();
              if (this.impossibleId(collection, id)) return null;
              const snapshot = await firestoreTx.get(this.ref(collection, id));
              return snapshot.exists ? toStored(snapshot) : null;
            },
            query: async (collection, query) => {
              if (wrote) throw readAfterWrite();
              return this.runQuery(collection, query, (firestoreQuery) => firestoreTx.get(firestoreQuery));
            },
            create: (collection, id, data) => queue({ kind: "create", collection, id, data }),
            set: (collection, id, data) => queue({ kind: "set", collection, id, data }),
            update: (collection, id, patch, options) => queue({ kind: "update", collection, id, patch, options }),
            delete: (collection, id) => queue({ kind: "delete", collection, id }),
          };
          return fn(tx);
        },
        { maxAttempts: MAX_TRANSACTION_ATTEMPTS },
      ),
    );
  }

  /** One document read: proves the project, database and credentials all work. */
  async ping(): Promise<void> {
    await this.call("read", "the readiness probe", async () => {
      await this.db.collection("health").doc("ping").get();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.terminate();
  }
}
