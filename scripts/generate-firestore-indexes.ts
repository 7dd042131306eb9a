/**
 * Writes `firestore.indexes.json` (deployed with `firebase deploy --only firestore:indexes`) from
 * the one list of index declarations, `lib/storage/indexes.ts`. `--check` only compares and exits
 * 1 when the file is stale. A test runs the same comparison, so a stale file fails the suite.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { INDEXES } from "@/lib/storage/indexes";
import { toFirestoreIndexesJson } from "@/lib/storage/query-plan";

export const FIRESTORE_INDEXES_PATH = fileURLToPath(new URL("../firestore.indexes.json", import.meta.url));

/** The file's expected text. */
export function renderFirestoreIndexes(): string {
  return `${JSON.stringify(toFirestoreIndexesJson(INDEXES), null, 2)}\n`;
}

/** True when the file on disk holds what the declarations produce (formatting aside). */
export function firestoreIndexesUpToDate(path = FIRESTORE_INDEXES_PATH): boolean {
  let current: unknown;
  try {
    current = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return false;
  }
  return JSON.stringify(current) === JSON.stringify(JSON.parse(renderFirestoreIndexes()));
}

function main(argv: string[]): number {
  if (argv.includes("--check")) {
    if (firestoreIndexesUpToDate()) return 0;
    console.error("firestore.indexes.json differs from lib/storage/indexes.ts; run `npm run indexes`.");
    return 1;
  }
  writeFileSync(FIRESTORE_INDEXES_PATH, renderFirestoreIndexes());
  console.log(`wrote ${FIRESTORE_INDEXES_PATH} (${toFirestoreIndexesJson(INDEXES).indexes.length} composite indexes)`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
