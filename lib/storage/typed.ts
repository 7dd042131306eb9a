import type { z } from "zod";
import { DomainError } from "@/lib/errors";
import type { DocumentStore, Query, StoredDocument, Transaction, UpdateOptions, UpdatePatch, WriteOp } from "./port";

/** A named collection and the zod schema its documents follow. */
export interface CollectionDef<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
}

export function defineCollection<T>(name: string, schema: z.ZodType<T>): CollectionDef<T> {
  return { name, schema };
}

/** A typed document: never a backend's snapshot type. */
export interface Doc<T> {
  id: string;
  data: T;
  revision: string;
}

export interface Page<T> {
  docs: Doc<T>[];
  nextCursor: string | null;
}

function parse<T>(collection: CollectionDef<T>, stored: StoredDocument): Doc<T> {
  const result = collection.schema.safeParse(stored.data);
  if (!result.success) {
    throw new DomainError(
      "internal",
      `Stored document ${collection.name}/${stored.id} does not match its schema: ${result.error.message}`,
      {
        reason: "corrupt_document",
      },
    );
  }
  return { id: stored.id, data: result.data, revision: stored.revision };
}

function serialize<T>(collection: CollectionDef<T>, id: string, data: T): Record<string, unknown> {
  const result = collection.schema.safeParse(data);
  if (!result.success) {
    throw new DomainError("internal", `Refusing to write ${collection.name}/${id}: ${result.error.message}`, {
      reason: "invalid_document",
    });
  }
  return result.data as Record<string, unknown>;
}

/** Typed writes for `Db.batch` and transactions. */
export const writes = {
  create: <T>(collection: CollectionDef<T>, id: string, data: T): WriteOp => ({
    kind: "create",
    collection: collection.name,
    id,
    data: serialize(collection, id, data),
  }),
  set: <T>(collection: CollectionDef<T>, id: string, data: T): WriteOp => ({
    kind: "set",
    collection: collection.name,
    id,
    data: serialize(collection, id, data),
  }),
  update: <T>(collection: CollectionDef<T>, id: string, patch: UpdatePatch, options?: UpdateOptions): WriteOp => ({
    kind: "update",
    collection: collection.name,
    id,
    patch,
    options,
  }),
  delete: <T>(collection: CollectionDef<T>, id: string, options?: UpdateOptions): WriteOp => ({
    kind: "delete",
    collection: collection.name,
    id,
    options,
  }),
};

/** The typed face of a transaction. */
export class TypedTransaction {
  constructor(readonly raw: Transaction) {}

  async get<T>(collection: CollectionDef<T>, id: string): Promise<Doc<T> | null> {
    const stored = await this.raw.get(collection.name, id);
    return stored ? parse(collection, stored) : null;
  }

  async query<T>(collection: CollectionDef<T>, query: Query): Promise<Page<T>> {
    const page = await this.raw.query(collection.name, query);
    return { docs: page.docs.map((doc) => parse(collection, doc)), nextCursor: page.nextCursor };
  }

  create<T>(collection: CollectionDef<T>, id: string, data: T): void {
    this.raw.create(collection.name, id, serialize(collection, id, data));
  }

  set<T>(collection: CollectionDef<T>, id: string, data: T): void {
    this.raw.set(collection.name, id, serialize(collection, id, data));
  }

  update<T>(collection: CollectionDef<T>, id: string, patch: UpdatePatch, options?: UpdateOptions): void {
    this.raw.update(collection.name, id, patch, options);
  }

  delete<T>(collection: CollectionDef<T>, id: string): void {
    this.raw.delete(collection.name, id);
  }
}

/**
 * The typed store the domain uses: documents are validated by their collection's schema on the
 * way in and on the way out, so a drifted document fails loudly instead of spreading.
 */
export class Db {
  constructor(readonly store: DocumentStore) {}

  async get<T>(collection: CollectionDef<T>, id: string): Promise<Doc<T> | null> {
    const stored = await this.store.get(collection.name, id);
    return stored ? parse(collection, stored) : null;
  }

  /** Like `get`, but absent is a `not_found` error naming `what`. */
  async require<T>(collection: CollectionDef<T>, id: string, what = "Document"): Promise<Doc<T>> {
    const doc = await this.get(collection, id);
    if (!doc) throw new DomainError("not_found", `${what} ${id} was not found.`);
    return doc;
  }

  async getMany<T>(collection: CollectionDef<T>, ids: readonly string[]): Promise<(Doc<T> | null)[]> {
    const stored = await this.store.getMany(collection.name, ids);
    return stored.map((doc) => (doc ? parse(collection, doc) : null));
  }

  async create<T>(collection: CollectionDef<T>, id: string, data: T): Promise<Doc<T>> {
    return parse(collection, await this.store.create(collection.name, id, serialize(collection, id, data)));
  }

  async set<T>(collection: CollectionDef<T>, id: string, data: T): Promise<Doc<T>> {
    return parse(collection, await this.store.set(collection.name, id, serialize(collection, id, data)));
  }

  async update<T>(
    collection: CollectionDef<T>,
    id: string,
    patch: UpdatePatch,
    options?: UpdateOptions,
  ): Promise<Doc<T>> {
    return parse(collection, await this.store.update(collection.name, id, patch, options));
  }

  async delete<T>(collection: CollectionDef<T>, id: string, options?: UpdateOptions): Promise<void> {
    await this.store.delete(collection.name, id, options);
  }

  async query<T>(collection: CollectionDef<T>, query: Query): Promise<Page<T>> {
    const page = await this.store.query(collection.name, query);
    return { docs: page.docs.map((doc) => parse(collection, doc)), nextCursor: page.nextCursor };
  }

  async count<T>(collection: CollectionDef<T>, query: Pick<Query, "where"> = {}): Promise<number> {
    return this.store.count(collection.name, query);
  }

  async batch(ops: readonly WriteOp[]): Promise<void> {
    await this.store.batch(ops);
  }

  async transaction<R>(fn: (tx: TypedTransaction) => Promise<R>): Promise<R> {
    return this.store.runTransaction((raw) => fn(new TypedTransaction(raw)));
  }
}
