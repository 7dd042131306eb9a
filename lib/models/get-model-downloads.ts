import { posix } from "node:path";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { DOWNLOAD_URL_TTL_S } from "@/lib/training/list-job-episodes";
import { requireTrainingReader } from "@/lib/training/require-training-actor";
import { Models } from "./schemas";
import { toModelView, type ModelView } from "./views";

/** A model's files with signed download URLs (notebook 04 builds a bundle from them). */
export async function getModelDownloads(
  ctx: Ctx,
  modelId: string,
): Promise<{ model: ModelView; files: Array<{ path: string; url: string; size_bytes: number; expires_at: string }> }> {
  requireTrainingReader(ctx);
  const model = await ctx.db.get(Models, modelId);
  if (!model) throw new DomainError("not_found", `Model ${modelId} was not found.`, { reason: "model_not_found" });
  const files = await Promise.all(
    model.data.files.map(async (file) => {
      const signed = await ctx.blobs.signUrl({
        key: `${model.data.storage_ref}${file.path}`,
        method: "GET",
        expiresInS: DOWNLOAD_URL_TTL_S,
        downloadName: posix.basename(file.path),
      });
      return { path: file.path, url: signed.url, size_bytes: file.size_bytes, expires_at: signed.expiresAt };
    }),
  );
  return { model: toModelView(model), files };
}
