import type { IndexDeclaration } from "./query-plan";

/**
 * Every index the product's queries need, one list for both backends: `firestore.indexes.json` is
 * generated from it (`npm run indexes`, checked by a test) and the SQLite adapter builds
 * expression indexes from it. The SQLite adapter refuses, in tests, any query whose Firestore
 * composite index is missing here, so a query cannot reach production without its index.
 * Single-field entries are for SQLite only (Firestore indexes single fields by itself).
 */
const asc = (fieldPath: string) => ({ fieldPath, order: "ASCENDING" as const });
const desc = (fieldPath: string) => ({ fieldPath, order: "DESCENDING" as const });
const contains = (fieldPath: string) => ({ fieldPath, arrayConfig: "CONTAINS" as const });

export const INDEXES: IndexDeclaration[] = [
  // users
  { collectionGroup: "users", fields: [asc("email")] },
  { collectionGroup: "users", fields: [asc("created_at")] },
  { collectionGroup: "users", fields: [asc("role"), asc("created_at")] },
  // audit_log
  { collectionGroup: "audit_log", fields: [desc("at")] },
  { collectionGroup: "audit_log", fields: [asc("action"), desc("at")] },
  { collectionGroup: "audit_log", fields: [asc("actor.id"), desc("at")] },
  { collectionGroup: "audit_log", fields: [asc("target.id"), desc("at")] },
  { collectionGroup: "audit_log", fields: [asc("outcome"), desc("at")] },
  // work_items (durable background work)
  { collectionGroup: "work_items", fields: [asc("queue"), asc("status"), asc("run_after")] },
  { collectionGroup: "work_items", fields: [asc("status"), asc("lease_expires_at")] },
  // rate limits and one-time values with an expiry
  { collectionGroup: "rate_limits", fields: [asc("expires_at")] },
];

export { asc, contains, desc };
