import { DomainError } from "@/lib/errors";
import { assertValidBlobKey } from "@/lib/blobs/keys";
import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import type { Model } from "@/lib/models/schemas";

export const MAX_BUNDLE_FILES = 1000;
export const MAX_BUNDLE_INPUT_BYTES = 4 * 1024 ** 3;

/** Files the bundle writes itself; a model folder's own copies are left out. */
export const GENERATED_FILES = ["manifest.json", "CHECKSUMS.sha256"] as const;

/** Weight files a robot runtime loads (the field runtime's `seed_model.npz` / `model.npz` first). */
export const WEIGHTS_FILE = /\.(npz|npy|pkl|pt|pth|onnx|tflite|safetensors|msgpack|h5|ckpt)$/i;

export interface ModelFile {
  /** Path inside the bundle (relative to the model's storage_ref). */
  path: string;
  key: string;
  size: number;
}

function prefixOf(model: Doc<Model>): string {
  const ref = model.data.storage_ref.replace(/^gs:\/\/[^/]+\//, "");
  return ref.endsWith("/") ? ref : `${ref}/`;
}

/**
 * The files a bundle of this model will hold, checked: every file the model lists exists with
 * bytes in it, there is at least one weights file, and the total stays within the limits. Errors
 * name the model and the file.
 */
export async function listModelFiles(ctx: Ctx, model: Doc<Model>): Promise<ModelFile[]> {
  const prefix = prefixOf(model);
  const files: ModelFile[] = [];
  if (model.data.files.length > 0) {
    for (const declared of model.data.files) {
      const key = `${prefix}${declared.path}`;
      const info = await ctx.blobs.head(assertValidBlobKey(key));
      if (!info) {
        throw new DomainError(
          "conflict",
          `Model ${model.id} lists ${declared.path}, but ${key} is missing from storage.`,
          { reason: "model_file_missing", details: { path: declared.path } },
        );
      }
      files.push({ path: declared.path, key, size: info.size });
    }
  } else {
    let cursor: string | undefined;
    do {
      const page = await ctx.blobs.list(prefix, { cursor, limit: 500 });
      for (const item of page.items)
        files.push({ path: item.key.slice(prefix.length), key: item.key, size: item.size });
      cursor = page.nextCursor ?? undefined;
      if (files.length > MAX_BUNDLE_FILES) break;
    } while (cursor);
  }
  const kept = files.filter((file) => !(GENERATED_FILES as readonly string[]).includes(file.path));
  if (kept.length === 0) {
    throw new DomainError("conflict", `Model ${model.id} has no files under ${prefix}; upload the model files first.`, {
      reason: "model_files_missing",
    });
  }
  if (kept.length > MAX_BUNDLE_FILES) {
    throw new DomainError("too_large", `Model ${model.id} has more than ${MAX_BUNDLE_FILES} files.`, {
      reason: "bundle_too_large",
    });
  }
  for (const file of kept) {
    assertValidBlobKey(file.path);
    if (file.size === 0) {
      throw new DomainError("conflict", `Model file ${file.path} of model ${model.id} is empty.`, {
        reason: "model_file_empty",
        details: { path: file.path },
      });
    }
  }
  if (!kept.some((file) => WEIGHTS_FILE.test(file.path))) {
    throw new DomainError(
      "conflict",
      `Model ${model.id} has no weights file under ${prefix} (expected e.g. seed_model.npz or model.npz); found ${kept
        .map((file) => file.path)
        .slice(0, 5)
        .join(", ")}.`,
      { reason: "model_weights_missing" },
    );
  }
  const total = kept.reduce((sum, file) => sum + file.size, 0);
  if (total > MAX_BUNDLE_INPUT_BYTES) {
    throw new DomainError(
      "too_large",
      `Model ${model.id} holds ${total} bytes; a bundle takes at most ${MAX_BUNDLE_INPUT_BYTES}.`,
      {
        reason: "bundle_too_large",
      },
    );
  }
  return kept.sort((a, b) => a.path.localeCompare(b.path));
}
