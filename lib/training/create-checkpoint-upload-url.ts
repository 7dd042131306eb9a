import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { checkpointPrefix, resolveCheckpointKey } from "./blob-refs";
import { requireLease } from "./lease";
import { requireTrainingWorker } from "./require-training-actor";
import { TrainingJobs } from "./schemas";

export const MAX_CHECKPOINT_FILE_BYTES = 4 * 1024 * 1024 * 1024;
export const UPLOAD_URL_TTL_S = 3600;

export const ZCheckpointUrlInput = z
  .object({
    lease_id: z.string().min(1).max(100).optional(),
    /** Relative to the job's checkpoint folder, e.g. `seed_model.npz` or `config/model_config.json`… */
    path: z.string().min(1).max(500).optional(),
    /** …or the full key, which must be under `models/checkpoints/{job_id}/`. */
    key: z.string().min(1).max(1000).optional(),
    content_type: z
      .string()
      .max(100)
      .regex(/^[\w.+-]+\/[\w.+-]+$/, "content_type is a MIME type like application/octet-stream.")
      .default("application/octet-stream"),
    size_bytes: z.number().int().min(0).max(MAX_CHECKPOINT_FILE_BYTES).optional(),
  })
  .strict();

/**
 * A signed upload URL for one checkpoint file of a job the caller holds. URLs are only ever issued
 * for keys under `models/checkpoints/{job_id}/` (anything else is 403 `outside_job_prefix`), bind
 * the content type and a maximum size, and expire within the hour.
 */
export async function createCheckpointUploadUrl(
  ctx: Ctx,
  jobId: string,
  rawInput: unknown,
): Promise<{
  upload_url: string;
  method: "PUT";
  headers: Record<string, string>;
  expires_at: string;
  key: string;
  model_ref: string;
  max_size_bytes: number;
}> {
  const actor = requireTrainingWorker(ctx);
  const input = parseInput(ZCheckpointUrlInput, rawInput, "body");
  if ((input.path === undefined) === (input.key === undefined)) {
    throw new DomainError("invalid", "Invalid body: give exactly one of path or key.", { reason: "invalid_input" });
  }
  const key = resolveCheckpointKey(jobId, input);
  const job = await ctx.db.get(TrainingJobs, jobId);
  if (!job) throw new DomainError("not_found", `Training job ${jobId} was not found.`, { reason: "job_not_found" });
  requireLease(ctx, actor, job, input.lease_id);
  const maxSize = input.size_bytes ?? MAX_CHECKPOINT_FILE_BYTES;
  const signed = await ctx.blobs.signUrl({
    key,
    method: "PUT",
    expiresInS: UPLOAD_URL_TTL_S,
    contentType: input.content_type,
    maxSizeBytes: maxSize,
  });
  return {
    upload_url: signed.url,
    method: "PUT",
    headers: signed.headers,
    expires_at: signed.expiresAt,
    key,
    model_ref: checkpointPrefix(jobId),
    max_size_bytes: maxSize,
  };
}
