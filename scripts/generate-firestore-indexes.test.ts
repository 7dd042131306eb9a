import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INDEXES } from "@/lib/storage/indexes";
import { toFirestoreIndexesJson } from "@/lib/storage/query-plan";
import { firestoreIndexesUpToDate, renderFirestoreIndexes } from "./generate-firestore-indexes";

describe("firestore.indexes.json", () => {
  it("holds exactly what lib/storage/indexes.ts produces (run `npm run indexes` after changing the declarations)", () => {
    expect(firestoreIndexesUpToDate()).toBe(true);
  });

  it("the comparison notices a missing, an extra and a reordered index", () => {
    const dir = mkdtempSync(join(tmpdir(), "indexes-"));
    try {
      const expected = toFirestoreIndexesJson(INDEXES);
      const variants = [
        { ...expected, indexes: expected.indexes.slice(1) },
        { ...expected, indexes: [...expected.indexes, { collectionGroup: "x", queryScope: "COLLECTION", fields: [] }] },
        { ...expected, indexes: [...expected.indexes].reverse() },
      ];
      for (const variant of variants) {
        const path = join(dir, "firestore.indexes.json");
        writeFileSync(path, JSON.stringify(variant));
        expect(firestoreIndexesUpToDate(path)).toBe(false);
      }
      writeFileSync(join(dir, "same.json"), renderFirestoreIndexes());
      expect(firestoreIndexesUpToDate(join(dir, "same.json"))).toBe(true);
      expect(firestoreIndexesUpToDate(join(dir, "absent.json"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
