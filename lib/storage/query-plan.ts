import { DomainError } from "@/lib/errors";
import { assertFieldPath } from "./field-path";
import type { Query } from "./port";

export type IndexOrder = "ASCENDING" | "DESCENDING";

/** One field of an index declaration, in Firestore's vocabulary. */
export type IndexField = { fieldPath: string; order: IndexOrder } | { fieldPath: string; arrayConfig: "CONTAINS" };

/**
 * An index the product's queries need. From these, `firestore.indexes.json` is produced (the
 * composite ones; Firestore indexes single fields by itself) and the SQLite adapter creates
 * expression indexes (all of them, since SQLite indexes nothing by itself).
 */
export interface IndexDeclaration {
  collectionGroup: string;
  fields: IndexField[];
}

const RANGE_OPS = new Set(["<", "<=", ">", ">="]);

/** The parts of a query that decide which index it needs. */
export interface QueryShape {
  equalities: string[];
  /** The one non-equality filter, if any. */
  inequality?: { field: string; op: "range" | "in" | "array-contains" };
  orderBy?: { field: string; direction: "asc" | "desc" };
}

/**
 * Check a query against the port's rules (those Firestore enforces, plus the port's own
 * restrictions) and reduce it to its shape. Throws `invalid` naming the rule broken.
 */
export function planQuery(query: Query): QueryShape {
  const equalities: string[] = [];
  let inequality: QueryShape["inequality"];
  for (const filter of query.where ?? []) {
    assertFieldPath(filter.field);
    if (filter.op === "==") {
      equalities.push(filter.field);
      continue;
    }
    const kind = RANGE_OPS.has(filter.op)
      ? "range"
      : filter.op === "in"
        ? "in"
        : filter.op === "array-contains"
          ? "array-contains"
          : null;
    if (kind === null) {
      throw new DomainError("invalid", `Unknown filter operator "${String(filter.op)}".`, { reason: "invalid_query" });
    }
    if (kind === "in" && (!Array.isArray(filter.value) || filter.value.length === 0 || filter.value.length > 30)) {
      throw new DomainError("invalid", `An "in" filter on ${filter.field} needs 1 to 30 values.`, {
        reason: "invalid_query",
      });
    }
    if (inequality && !(inequality.field === filter.field && inequality.op === "range" && kind === "range")) {
      throw new DomainError("invalid", "A query may have at most one range, in or array-contains filter.", {
        reason: "invalid_query",
      });
    }
    inequality = { field: filter.field, op: kind };
  }
  let orderBy: QueryShape["orderBy"];
  if (query.orderBy) {
    assertFieldPath(query.orderBy.field);
    orderBy = { field: query.orderBy.field, direction: query.orderBy.direction ?? "asc" };
    if (inequality?.op === "range" && inequality.field !== orderBy.field) {
      throw new DomainError("invalid", `A range filter on ${inequality.field} requires ordering by that field.`, {
        reason: "invalid_query",
      });
    }
  }
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 1000)) {
    throw new DomainError("invalid", "A query limit must be an integer from 1 to 1000.", { reason: "invalid_query" });
  }
  return { equalities: [...new Set(equalities)].sort(), inequality, orderBy };
}

/**
 * The composite index Firestore needs for a query shape, or null when its automatic single-field
 * indexes (and index merging for equality-only queries) serve it.
 */
export function compositeIndexFor(collection: string, shape: QueryShape): IndexDeclaration | null {
  const fields: IndexField[] = shape.equalities.map((fieldPath) => ({ fieldPath, order: "ASCENDING" as const }));
  if (shape.inequality?.op === "array-contains") {
    fields.push({ fieldPath: shape.inequality.field, arrayConfig: "CONTAINS" });
  }
  const orderField =
    shape.orderBy?.field ??
    (shape.inequality && shape.inequality.op !== "array-contains" ? shape.inequality.field : undefined);
  if (orderField !== undefined) {
    const order: IndexOrder = shape.orderBy?.direction === "desc" ? "DESCENDING" : "ASCENDING";
    const existing = fields.findIndex((field) => field.fieldPath === orderField && "order" in field);
    if (existing >= 0) fields.splice(existing, 1);
    fields.push({ fieldPath: orderField, order });
  }
  const distinct = new Set(fields.map((field) => field.fieldPath));
  if (distinct.size <= 1) return null;
  // Equality-only queries are served by merging single-field indexes.
  if (orderField === undefined && shape.inequality === undefined) return null;
  return { collectionGroup: collection, fields };
}

function indexKey(index: IndexDeclaration): string {
  const fields = index.fields.map((field) =>
    "order" in field ? `${field.fieldPath}:${field.order}` : `${field.fieldPath}:CONTAINS`,
  );
  // Equality fields may come in any order; only the tail (array / order field) is positional.
  const last = fields.pop();
  const tail: string[] = [];
  if (last !== undefined) tail.push(last);
  const arrayIndex = fields.findIndex((field) => field.endsWith(":CONTAINS"));
  if (arrayIndex >= 0) tail.unshift(...fields.splice(arrayIndex, 1));
  return `${index.collectionGroup}|${fields.sort().join(",")}|${tail.join(",")}`;
}

/** True when `declared` holds the composite index the query needs (or it needs none). */
export function hasIndexFor(declared: readonly IndexDeclaration[], collection: string, shape: QueryShape): boolean {
  const needed = compositeIndexFor(collection, shape);
  if (needed === null) return true;
  const key = indexKey(needed);
  return declared.some((index) => indexKey(index) === key);
}

/** Throws an error that names the index to declare, so the fix is a copy-paste away. */
export function assertIndexFor(declared: readonly IndexDeclaration[], collection: string, query: Query): QueryShape {
  const shape = planQuery(query);
  if (!hasIndexFor(declared, collection, shape)) {
    const needed = compositeIndexFor(collection, shape);
    throw new DomainError(
      "internal",
      `Query on ${collection} has no declared index; add to lib/storage/indexes.ts: ${JSON.stringify(needed)}`,
      {
        reason: "missing_index",
      },
    );
  }
  return shape;
}

/** The `firestore.indexes.json` document for a set of declarations (composite ones only). */
export function toFirestoreIndexesJson(declared: readonly IndexDeclaration[]): {
  indexes: Array<IndexDeclaration & { queryScope: "COLLECTION" }>;
  fieldOverrides: never[];
} {
  const seen = new Set<string>();
  const indexes: Array<IndexDeclaration & { queryScope: "COLLECTION" }> = [];
  for (const index of declared) {
    if (new Set(index.fields.map((field) => field.fieldPath)).size < 2) continue;
    const key = indexKey(index);
    if (seen.has(key)) continue;
    seen.add(key);
    indexes.push({ collectionGroup: index.collectionGroup, queryScope: "COLLECTION", fields: index.fields });
  }
  return { indexes, fieldOverrides: [] };
}
