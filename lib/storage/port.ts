/**
 * The document-store port. It means what Firestore means, restricted to what both backends do
 * well; the SQLite adapter imitates Firestore where they differ. Documents are plain JSON objects;
 * timestamps are ISO-8601 strings (never a backend's own type).
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type DocumentData = Record<string, unknown>;

/** A stored document as the port returns it. */
export interface StoredDocument {
  id: string;
  data: DocumentData;
  /**
   * Opaque revision that changes on every write; pass it back as `ifRevision` to update only
   * when nobody wrote in between (Firestore: the update time; SQLite: a counter).
   */
  revision: string;
}

export type FilterOp = "==" | "<" | "<=" | ">" | ">=" | "in" | "array-contains";

export interface Filter {
  /** A field path; dots address nested fields (`rollout.status`). */
  field: string;
  op: FilterOp;
  value: unknown;
}

export interface OrderBy {
  field: string;
  direction?: "asc" | "desc";
}

/**
 * A query: equality filters plus at most one range, `in` or `array-contains` filter, at most one
 * order, a limit and an opaque cursor from a previous page. With a range filter the order (if
 * any) must be on the same field, as Firestore requires. Documents lacking the order field are
 * left out, as in Firestore. Ties are broken by document id.
 */
export interface Query {
  where?: Filter[];
  orderBy?: OrderBy;
  limit?: number;
  cursor?: string | null;
}

export interface QueryPage {
  docs: StoredDocument[];
  /** Opaque; null when there is no further page. */
  nextCursor: string | null;
}

/** Special values for `update` patches. Build them with `fieldValue`. */
export type FieldTransform =
  | { readonly __transform: "increment"; readonly by: number }
  | { readonly __transform: "arrayUnion"; readonly values: readonly unknown[] }
  | { readonly __transform: "arrayRemove"; readonly values: readonly unknown[] }
  | { readonly __transform: "delete" };

export const fieldValue = {
  increment: (by: number): FieldTransform => ({ __transform: "increment", by }),
  arrayUnion: (...values: unknown[]): FieldTransform => ({ __transform: "arrayUnion", values }),
  arrayRemove: (...values: unknown[]): FieldTransform => ({ __transform: "arrayRemove", values }),
  delete: (): FieldTransform => ({ __transform: "delete" }),
};

export function isFieldTransform(value: unknown): value is FieldTransform {
  return typeof value === "object" && value !== null && "__transform" in value;
}

/**
 * An update patch: keys are field paths (dots address nested fields, as Firestore's `update`);
 * values replace the field or are a `FieldTransform`.
 */
export type UpdatePatch = Record<string, unknown>;

export interface UpdateOptions {
  /** Fail with `precondition_failed` unless the document is still at this revision. */
  ifRevision?: string;
}

export type WriteOp =
  | { kind: "create"; collection: string; id: string; data: DocumentData }
  | { kind: "set"; collection: string; id: string; data: DocumentData }
  | { kind: "update"; collection: string; id: string; patch: UpdatePatch; options?: UpdateOptions }
  | { kind: "delete"; collection: string; id: string; options?: UpdateOptions };

/**
 * A transaction: reads first, then writes (as Firestore demands). The function may run more than
 * once when another writer touched what it read, so it must have no side effects outside `tx`.
 */
export interface Transaction {
  get(collection: string, id: string): Promise<StoredDocument | null>;
  query(collection: string, query: Query): Promise<QueryPage>;
  create(collection: string, id: string, data: DocumentData): void;
  set(collection: string, id: string, data: DocumentData): void;
  update(collection: string, id: string, patch: UpdatePatch, options?: UpdateOptions): void;
  delete(collection: string, id: string): void;
}

export interface DocumentStore {
  /** The document, or null (also for an id no document can have, such as one holding `/`). */
  get(collection: string, id: string): Promise<StoredDocument | null>;
  /** Several documents by id, in the order asked; null for the absent ones. */
  getMany(collection: string, ids: readonly string[]): Promise<(StoredDocument | null)[]>;
  /** Create; `conflict` when the id is taken. */
  create(collection: string, id: string, data: DocumentData): Promise<StoredDocument>;
  /** Create or replace the whole document. */
  set(collection: string, id: string, data: DocumentData): Promise<StoredDocument>;
  /** Change some fields; `not_found` when absent, `precondition_failed` when the revision moved. */
  update(collection: string, id: string, patch: UpdatePatch, options?: UpdateOptions): Promise<StoredDocument>;
  /** Delete; absent is not an error unless `ifRevision` is given. */
  delete(collection: string, id: string, options?: UpdateOptions): Promise<void>;
  /** One page of a query (see `Query`). */
  query(collection: string, query: Query): Promise<QueryPage>;
  /** How many documents match the filters (order, limit and cursor are ignored). */
  count(collection: string, query: Pick<Query, "where">): Promise<number>;
  /** Apply writes atomically: all or none. At most 500 operations. */
  batch(ops: readonly WriteOp[]): Promise<void>;
  /** Run `fn` atomically with optimistic retries; see `Transaction`. */
  runTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Throws when the backend cannot be reached (readiness). */
  ping(): Promise<void>;
  /** Release connections; later calls fail. */
  close(): Promise<void>;
}
