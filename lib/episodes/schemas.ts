import { z } from "zod";
import { defineCollection } from "@/lib/storage/typed";

/**
 * `rlds_episodes/{episode_id}` — PRODUCT.md §4. The seed's fields keep their names; the rest are
 * additions. Lifecycle: raw (upload pending or uploaded) → validated | rejected (quarantine);
 * validated → training (in a job) → trained (a model came out of it).
 */
export const ZEpisodeStatus = z.enum(["raw", "validated", "rejected", "training", "trained"]);
export type EpisodeStatus = z.infer<typeof ZEpisodeStatus>;

export const ZValidationIssue = z.object({
  code: z.string(),
  message: z.string(),
  step: z.number().int().nullable().default(null),
  field: z.string().nullable().default(null),
  line: z.number().int().nullable().default(null),
});
export type ValidationIssue = z.infer<typeof ZValidationIssue>;

export const ZEpisode = z.object({
  robot_id: z.string(),
  /** Denormalized from the registry at upload, for fleet-wide filters. */
  robot_model: z.string().nullable().default(null),
  status: ZEpisodeStatus,
  created_at: z.string(),
  /** When the uploaded object was ingested (the seed's `uploaded_at`). */
  uploaded_at: z.string().nullable().default(null),
  metadata: z
    .object({
      duration_ms: z.number().nullable().default(null),
      step_count: z.number().int().nullable().default(null),
      capabilities: z.array(z.string()).default([]),
      tags: z.array(z.string()).default([]),
    })
    .catchall(z.unknown()),
  storage_ref: z.string().nullable().default(null),
  training_job_id: z.string().nullable().default(null),
  contributed_to_models: z.array(z.string()).default([]),
  checksum: z.string().nullable().default(null),
  size_bytes: z.number().int().nullable().default(null),
  format: z.enum(["tar.gz", "zip", "json", "files"]).default("tar.gz"),
  schema_variant: z.string().nullable().default(null),
  validation: z
    .object({ errors: z.array(ZValidationIssue).default([]), warnings: z.array(ZValidationIssue).default([]) })
    .default({ errors: [], warnings: [] }),
  training_eligible: z.boolean().default(false),
  quality: z
    .object({ score: z.number().min(0).max(1), flags: z.array(z.string()) })
    .nullable()
    .default(null),
  stats: z
    .object({
      step_count: z.number().int(),
      duration_ms: z.number().nullable(),
      action_dim: z.number().int().nullable(),
      observation_keys: z.array(z.string()),
      reward_sum: z.number(),
    })
    .nullable()
    .default(null),
  produced_by_bundle: z.string().nullable().default(null),
  tfrecord_ref: z.string().nullable().default(null),
  device_signature: z.string().nullable().default(null),
});
export type Episode = z.infer<typeof ZEpisode>;
export const Episodes = defineCollection("rlds_episodes", ZEpisode);
