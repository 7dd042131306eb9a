import { z } from "zod";
import { defineCollection } from "@/lib/storage/typed";

/** `models/{model_id}` — PRODUCT.md §4: what training produced, with lineage. */
export const ZModelStage = z.enum(["seed", "checkpoint", "production"]);
export type ModelStage = z.infer<typeof ZModelStage>;

export const ZModel = z.object({
  name: z.string(),
  /** MAJOR.MINOR.PATCH. */
  version: z.string(),
  robot_model: z.string(),
  stage: ZModelStage,
  /** Blob key prefix of the model files (e.g. `models/checkpoints/{job_id}/` or `models/production/{robot_model}/v{version}/`). */
  storage_ref: z.string(),
  training_job_id: z.string().nullable(),
  dataset: z.object({ episode_count: z.number().int(), episode_set_sha256: z.string() }).nullable(),
  metrics: z.record(z.string(), z.number()).default({}),
  created_at: z.string(),
  created_by: z.string().nullable().default(null),
  promoted_at: z.string().nullable().default(null),
  promoted_by: z.string().nullable().default(null),
  /** The model this one was trained from (the job's `model_base`): lineage upwards. */
  parent_model_id: z.string().nullable().default(null),
  /** The stage it had before promotion; a replaced production model goes back to it. */
  origin_stage: z.enum(["seed", "checkpoint"]).nullable().default(null),
  /** Set when another model replaced this one in production. */
  retired_at: z.string().nullable().default(null),
  /** The files under `storage_ref` when it was registered (relative paths). */
  files: z.array(z.object({ path: z.string(), size_bytes: z.number().int() })).default([]),
});
export type Model = z.infer<typeof ZModel>;
export const Models = defineCollection("models", ZModel);
