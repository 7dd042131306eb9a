import { createHash } from "node:crypto";

/**
 * The dataset hash of a job: SHA-256 (hex) of its episode ids, sorted by code unit and joined with
 * "\n" (no trailing newline). Sorting makes it a hash of the set, not of the order the store
 * returned; anyone can recompute it from `config.episode_ids` (the Python client does).
 */
export function datasetHash(episodeIds: readonly string[]): string {
  const sorted = [...episodeIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256").update(sorted.join("\n"), "utf8").digest("hex");
}
