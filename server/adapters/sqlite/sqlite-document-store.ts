import Database from "better-sqlite3";
import { DomainError } from "@/lib/errors";
import { decodeCursor, encodeCursor } from "@/lib/storage/cursor";
import { applyPatch, assertFieldPath, getField, normalizeData, normalizeValue } from "@/lib/storage/field-path";
import type {
  DocumentData,
  DocumentStore,
  Query,
  QueryPage,
  StoredDocument,
  Transaction,
  UpdateOptions,
  UpdatePatch,
  WriteOp,
} from "@/lib/storage/port";
import { assertDocumentId } from "@/lib/storage/document-id";
import { assertIndexFor, planQuery, type IndexDeclaration, type QueryShape } from "@/lib/storage/query-plan";
import { SqliteWriterThread } from "./sqlite-writer-thread";

export interface SqliteDocumentStoreOptions {
  /** File path, or ":memory:". */
  filename: string;
  /** Index declarations: expression indexes are created from them. */
  indexes: readonly IndexDeclaration[];
  /**
   * When true, a query whose Firestore composite index is not declared throws `missing_index`,
   * so a query that would fail in production fails in every test first.
   */
  requireDeclaredIndexes?: boolean;
  /** `FULL` (default) survives power loss; `NORMAL` survives a process crash. */
  synchronous?: "FULL" | "NORMAL";
  /** Clock for update times (tests pass a fixed one). */
  now?: () => Date;
  /**
   * Commit `batch()` calls on a writer thread with its own connection to the same file, so the
   * event loop is not stopped while a commit writes and flushes (see `sqlite-writer-thread.ts`).
   * Needs a file, not ":memory:". Other writes and all reads stay on this thread.
   */
  writerThread?: boolean;
}

interface Row {
  id: string;
  data: string;
  version: number;
}

const COLLECTION_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const MAX_TRANSACTION_ATTEMPTS = 20;

function tableName(collection: string): string {
  if (!COLLECTION_NAME.test(collection)) {
    throw new DomainError("invalid", `Collection name "${collection}" is not valid.`, { reason: "invalid_collection" });
  }
  return `doc_${collection}`;
}

/** JSON path expression for a validated field path; inlined so queries match expression indexes. */
function fieldExpression(path: string): string {
  assertFieldPath(path);
  return `json_extract(data, '$.${path}')`;
}

/** SQLite has no booleans: json_extract yields 1/0 for true/false, so bind them the same way. */
function bindValue(value: unknown): unknown {
  const normalized = normalizeValue(value);
  if (typeof normalized === "boolean") return normalized ? 1 : 0;
  if (normalized !== null && typeof normalized === "object") return JSON.stringify(normalized);
  return normalized;
}

class ConflictRetry extends Error {}

/**
 * The embedded document store: one SQLite table per collection holding JSON documents, with
 * expression indexes made from the same declarations as `firestore.indexes.json`. Transactions are
 * optimistic, like Firestore's: reads are recorded, and the commit re-checks them inside an
 * IMMEDIATE SQLite transaction, so several processes sharing one file stay correct.
 */
export class SqliteDocumentStore implements DocumentStore {
  private readonly db: Database.Database;
  private readonly tables = new Set<string>();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly indexes: readonly IndexDeclaration[];
  private readonly requireDeclaredIndexes: boolean;
  private readonly now: () => Date;
  private closed = false;
  /** Transactions of this process run one at a time; the commit check covers other processes. */
  private transactionQueue: Promise<unknown> = Promise.resolve();
  private readonly writer: SqliteWriterThread | null;
  readonly filename: string;

  constructor(options: SqliteDocumentStoreOptions) {
    this.filename = options.filename;
    if (options.writerThread && options.filename === ":memory:") {
      throw new Error("SqliteDocumentStore: a writer thread needs a database file, not :memory:");
    }
    this.db = new Database(options.filename);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
    this.db.pragma("busy_timeout = 5000");
    this.db.pragma("foreign_keys = ON");
    this.indexes = options.indexes;
    this.requireDeclaredIndexes = options.requireDeclaredIndexes ?? false;
    this.now = options.now ?? (() => new Date());
    this.writer = options.writerThread
      ? SqliteWriterThread.start({
          filename: options.filename,
          indexes: options.indexes,
          synchronous: options.synchronous ?? "FULL",
        })
      : null;
  }

  /** Batches the writer thread has committed (0 without one): for tests and diagnostics. */
  get writerThreadCommits(): number {
    return this.writer?.committed ?? 0;
  }

  /** Create the table (and its indexes) on first use. */
  private ensureTable(collection: string): string {
    const table = tableName(collection);
    if (this.tables.has(table)) return table;
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS "${table}" (id TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL, version INTEGER NOT NULL, update_time TEXT NOT NULL) WITHOUT ROWID`,
    );
    // Declarations differing only in array fields (which SQLite cannot index) make the same
    // expression index; build each once, since every write maintains every index.
    const built = new Set<string>();
    for (const index of this.indexes) {
      if (index.collectionGroup !== collection) continue;
      const columns = index.fields
        .filter((field) => "order" in field)
        .map(
          (field) =>
            `${fieldExpression(field.fieldPath)}${"order" in field && field.order === "DESCENDING" ? " DESC" : ""}`,
        );
      if (columns.length === 0) continue;
      // Firestore breaks ties by document id in the direction of the last order; put the id in
      // the index the same way so ordered pages are read straight off the index, never sorted.
      const last = index.fields[index.fields.length - 1];
      columns.push(last && "order" in last && last.order === "DESCENDING" ? "id DESC" : "id");
      if (built.has(columns.join(", "))) continue;
      built.add(columns.join(", "));
      const name = `ix_${collection}_${index.fields.map((field) => field.fieldPath.replaceAll(".", "_")).join("__")}_${index.fields
        .map((field) => ("order" in field ? field.order[0] : "C"))
        .join("")}`;
      this.db.exec(`CREATE INDEX IF NOT EXISTS "${name}" ON "${table}" (${columns.join(", ")})`);
    }
    // DDL inside a transaction that later rolls back is undone: only remember tables created outside one.
    if (!this.db.inTransaction) this.tables.add(table);
    return table;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private assertOpen(): void {
    if (this.closed) throw new DomainError("unavailable", "The document store is closed.", { reason: "store_closed" });
  }

  private toDocument(row: Row): StoredDocument {
    return { id: row.id, data: JSON.parse(row.data) as DocumentData, revision: String(row.version) };
  }

  private readRow(collection: string, id: string): Row | undefined {
    const table = this.ensureTable(collection);
    return this.statement(`SELECT id, data, version FROM "${table}" WHERE id = ?`).get(id) as Row | undefined;
  }

  // Writes below run inside a SQLite transaction opened by the caller.

  private writeCreate(collection: string, id: string, data: DocumentData): StoredDocument {
    assertDocumentId(id);
    const table = this.ensureTable(collection);
    const json = JSON.stringify(normalizeData(data));
    const result = this.statement(
      `INSERT INTO "${table}" (id, data, version, update_time) VALUES (?, ?, 1, ?) ON CONFLICT(id) DO NOTHING`,
    ).run(id, json, this.now().toISOString());
    if (result.changes === 0) {
      throw new DomainError("conflict", `${collection}/${id} already exists.`, { reason: "already_exists" });
    }
    return { id, data: JSON.parse(json) as DocumentData, revision: "1" };
  }

  private writeSet(collection: string, id: string, data: DocumentData): StoredDocument {
    assertDocumentId(id);
    const table = this.ensureTable(collection);
    const json = JSON.stringify(normalizeData(data));
    const row = this.statement(
      `INSERT INTO "${table}" (id, data, version, update_time) VALUES (?, ?, 1, ?)
       ON CONFLICT(id) DO UPDATE SET data = excluded.data, version = version + 1, update_time = excluded.update_time
       RETURNING version`,
    ).get(id, json, this.now().toISOString()) as { version: number };
    return { id, data: JSON.parse(json) as DocumentData, revision: String(row.version) };
  }

  private writeUpdate(collection: string, id: string, patch: UpdatePatch, options?: UpdateOptions): StoredDocument {
    if (Object.keys(patch).length === 0) {
      throw new DomainError("invalid", `An update of ${collection}/${id} names no field.`, { reason: "empty_update" });
    }
    const row = this.readRow(collection, id);
    if (!row && options?.ifRevision !== undefined) {
      // As Firestore: a revision precondition on a missing document is a failed precondition.
      throw new DomainError("precondition_failed", `${collection}/${id} changed since it was read.`, {
        reason: "revision_mismatch",
      });
    }
    if (!row) throw new DomainError("not_found", `${collection}/${id} does not exist.`, { reason: "document_missing" });
    if (options?.ifRevision !== undefined && options.ifRevision !== String(row.version)) {
      throw new DomainError("precondition_failed", `${collection}/${id} changed since it was read.`, {
        reason: "revision_mismatch",
      });
    }
    const data = applyPatch(JSON.parse(row.data) as DocumentData, patch);
    const json = JSON.stringify(data);
    const table = this.ensureTable(collection);
    this.statement(`UPDATE "${table}" SET data = ?, version = ?, update_time = ? WHERE id = ?`).run(
      json,
      row.version + 1,
      this.now().toISOString(),
      id,
    );
    return { id, data, revision: String(row.version + 1) };
  }

  private writeDelete(collection: string, id: string, options?: UpdateOptions): void {
    const table = this.ensureTable(collection);
    if (options?.ifRevision !== undefined) {
      const row = this.readRow(collection, id);
      if (!row || String(row.version) !== options.ifRevision) {
        throw new DomainError("precondition_failed", `${collection}/${id} changed since it was read.`, {
          reason: "revision_mismatch",
        });
      }
    }
    this.statement(`DELETE FROM "${table}" WHERE id = ?`).run(id);
  }

  private applyOp(op: WriteOp): void {
    switch (op.kind) {
      case "create":
        this.writeCreate(op.collection, op.id, op.data);
        return;
      case "set":
        this.writeSet(op.collection, op.id, op.data);
        return;
      case "update":
        this.writeUpdate(op.collection, op.id, op.patch, op.options);
        return;
      case "delete":
        this.writeDelete(op.collection, op.id, op.options);
        return;
    }
  }

  async get(collection: string, id: string): Promise<StoredDocument | null> {
    this.assertOpen();
    const row = this.readRow(collection, id);
    return row ? this.toDocument(row) : null;
  }

  async getMany(collection: string, ids: readonly string[]): Promise<(StoredDocument | null)[]> {
    this.assertOpen();
    return ids.map((id) => {
      const row = this.readRow(collection, id);
      return row ? this.toDocument(row) : null;
    });
  }

  async create(collection: string, id: string, data: DocumentData): Promise<StoredDocument> {
    this.assertOpen();
    this.ensureTable(collection);
    return this.db.transaction(() => this.writeCreate(collection, id, data)).immediate();
  }

  async set(collection: string, id: string, data: DocumentData): Promise<StoredDocument> {
    this.assertOpen();
    this.ensureTable(collection);
    return this.db.transaction(() => this.writeSet(collection, id, data)).immediate();
  }

  async update(collection: string, id: string, patch: UpdatePatch, options?: UpdateOptions): Promise<StoredDocument> {
    this.assertOpen();
    this.ensureTable(collection);
    return this.db.transaction(() => this.writeUpdate(collection, id, patch, options)).immediate();
  }

  async delete(collection: string, id: string, options?: UpdateOptions): Promise<void> {
    this.assertOpen();
    this.ensureTable(collection);
    this.db.transaction(() => this.writeDelete(collection, id, options)).immediate();
  }

  private buildWhere(shape: QueryShape, query: Query): { clauses: string[]; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    for (const filter of query.where ?? []) {
      const expression = fieldExpression(filter.field);
      switch (filter.op) {
        case "==":
          if (filter.value === null) {
            clauses.push(`json_type(data, '$.${filter.field}') = 'null'`);
          } else {
            clauses.push(`${expression} = ?`);
            params.push(bindValue(filter.value));
          }
          break;
        case "<":
        case "<=":
        case ">":
        case ">=":
          clauses.push(`${expression} ${filter.op} ?`);
          params.push(bindValue(filter.value));
          break;
        case "in": {
          const values = filter.value as unknown[];
          clauses.push(`${expression} IN (${values.map(() => "?").join(", ")})`);
          params.push(...values.map(bindValue));
          break;
        }
        case "array-contains":
          clauses.push(`EXISTS (SELECT 1 FROM json_each(data, '$.${filter.field}') WHERE json_each.value = ?)`);
          params.push(bindValue(filter.value));
          break;
      }
    }
    if (shape.orderBy) {
      // Firestore leaves out documents that lack the order field.
      clauses.push(`json_type(data, '$.${shape.orderBy.field}') IS NOT NULL`);
    }
    return { clauses, params };
  }

  private runQuery(collection: string, query: Query): QueryPage {
    const shape = this.requireDeclaredIndexes ? assertIndexFor(this.indexes, collection, query) : planQuery(query);
    const table = this.ensureTable(collection);
    const { clauses, params } = this.buildWhere(shape, query);
    // Firestore orders a range query without an explicit order by the range field.
    const order =
      shape.orderBy ??
      (shape.inequality?.op === "range" ? { field: shape.inequality.field, direction: "asc" as const } : undefined);
    const direction = order?.direction === "desc" ? "DESC" : "ASC";
    const comparison = direction === "DESC" ? "<" : ">";
    const orderExpression = order ? fieldExpression(order.field) : null;
    if (query.cursor) {
      const position = decodeCursor(query.cursor);
      if (orderExpression) {
        clauses.push(`(${orderExpression}, id) ${comparison} (?, ?)`);
        params.push(bindValue(position.value ?? null), position.id);
      } else {
        clauses.push(`id ${comparison} ?`);
        params.push(position.id);
      }
    }
    const limit = query.limit ?? 1000;
    const sql =
      `SELECT id, data, version FROM "${table}"` +
      (clauses.length ? ` WHERE ${clauses.join(" AND ")}` : "") +
      (orderExpression ? ` ORDER BY ${orderExpression} ${direction}, id ${direction}` : ` ORDER BY id ${direction}`) +
      ` LIMIT ${limit + 1}`;
    const rows = this.statement(sql).all(...params) as Row[];
    const hasMore = rows.length > limit;
    const docs = rows.slice(0, limit).map((row) => this.toDocument(row));
    const last = docs[docs.length - 1];
    const nextCursor =
      hasMore && last
        ? encodeCursor(order ? { value: getField(last.data, order.field), id: last.id } : { id: last.id })
        : null;
    return { docs, nextCursor };
  }

  async query(collection: string, query: Query): Promise<QueryPage> {
    this.assertOpen();
    return this.runQuery(collection, query);
  }

  async count(collection: string, query: Pick<Query, "where">): Promise<number> {
    this.assertOpen();
    const shape = this.requireDeclaredIndexes ? assertIndexFor(this.indexes, collection, query) : planQuery(query);
    const table = this.ensureTable(collection);
    const { clauses, params } = this.buildWhere(shape, query);
    const sql = `SELECT COUNT(*) AS n FROM "${table}"` + (clauses.length ? ` WHERE ${clauses.join(" AND ")}` : "");
    return (this.statement(sql).get(...params) as { n: number }).n;
  }

  async batch(ops: readonly WriteOp[]): Promise<void> {
    this.assertOpen();
    if (ops.length > 500)
      throw new DomainError("invalid", "A batch holds at most 500 writes.", { reason: "batch_too_large" });
    if (this.writer?.usable) return this.writer.batch(ops);
    ops.forEach((op) => this.ensureTable(op.collection));
    this.db.transaction(() => ops.forEach((op) => this.applyOp(op))).immediate();
  }

  async runTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.assertOpen();
    const run = this.transactionQueue.then(() => this.runTransactionNow(fn));
    this.transactionQueue = run.catch(() => undefined);
    return run;
  }

  private async runTransactionNow<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const reads = new Map<string, number | null>();
      const queries: Array<{ collection: string; query: Query; fingerprint: string }> = [];
      const writes: WriteOp[] = [];
      const key = (collection: string, id: string) => `${collection}\u0000${id}`;
      const fingerprint = (page: QueryPage) => page.docs.map((doc) => `${doc.id}@${doc.revision}`).join(",");
      const tx: Transaction = {
        get: async (collection, id) => {
          if (writes.length)
            throw new DomainError("internal", "Transactions must read before they write.", {
              reason: "read_after_write",
            });
          const row = this.readRow(collection, id);
          reads.set(key(collection, id), row ? row.version : null);
          return row ? this.toDocument(row) : null;
        },
        query: async (collection, query) => {
          if (writes.length)
            throw new DomainError("internal", "Transactions must read before they write.", {
              reason: "read_after_write",
            });
          const page = this.runQuery(collection, query);
          queries.push({ collection, query, fingerprint: fingerprint(page) });
          return page;
        },
        create: (collection, id, data) => void writes.push({ kind: "create", collection, id, data }),
        set: (collection, id, data) => void writes.push({ kind: "set", collection, id, data }),
        update: (collection, id, patch, options) =>
          void writes.push({ kind: "update", collection, id, patch, options }),
        delete: (collection, id) => void writes.push({ kind: "delete", collection, id }),
      };
      const result = await fn(tx);
      this.assertOpen();
      writes.forEach((op) => this.ensureTable(op.collection));
      try {
        this.db
          .transaction(() => {
            for (const [readKey, version] of reads) {
              const [collection, id] = readKey.split("\u0000") as [string, string];
              const row = this.readRow(collection, id);
              if ((row ? row.version : null) !== version) throw new ConflictRetry();
            }
            for (const entry of queries) {
              if (fingerprint(this.runQuery(entry.collection, entry.query)) !== entry.fingerprint)
                throw new ConflictRetry();
            }
            writes.forEach((op) => this.applyOp(op));
          })
          .immediate();
        return result;
      } catch (error) {
        if (!(error instanceof ConflictRetry)) throw error;
        if (attempt >= MAX_TRANSACTION_ATTEMPTS) {
          throw new DomainError("conflict", "Too many concurrent writers; try again.", {
            reason: "transaction_contention",
          });
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  async ping(): Promise<void> {
    this.assertOpen();
    this.statement("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer?.close();
    this.statements.clear();
    this.db.close();
  }
}
