import type { BlobStore } from "@/lib/blobs/port";
import { DomainError } from "@/lib/errors";

export const MAX_MODEL_FILES = 1000;

/** The files under a model folder (relative paths and sizes); a folder with none is 409 `checkpoint_missing`. */
export async function readModelFiles(
  blobs: BlobStore,
  folder: string,
): Promise<Array<{ path: string; size_bytes: number }>> {
  const files: Array<{ path: string; size_bytes: number }> = [];
  let cursor: string | null = null;
  do {
    const page = await blobs.list(folder, { cursor: cursor ?? undefined, limit: 500 });
    for (const item of page.items) files.push({ path: item.key.slice(folder.length), size_bytes: item.size });
    cursor = page.nextCursor;
    if (files.length > MAX_MODEL_FILES) {
      throw new DomainError(
        "invalid",
        `${folder} holds more than ${MAX_MODEL_FILES} files; a model folder holds fewer.`,
        {
          reason: "too_many_files",
        },
      );
    }
  } while (cursor);
  if (files.length === 0) {
    throw new DomainError("conflict", `Nothing was uploaded under ${folder}; upload the model files first.`, {
      reason: "checkpoint_missing",
    });
  }
  return files;
}
