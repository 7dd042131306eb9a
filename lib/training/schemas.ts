import { z } from "zod";
import { defineCollection } from "@/lib/storage/typed";

/**
 * Training coordination documents — PRODUCT.md §4 (`training_jobs`) and §9. The seed's fields keep
 * their names (`type`, `status`, `config {episode_ids, model_base, hyperparams}`, `output
 * {model_ref, metrics}`, `colab_notebook_url`); the rest are additions. Anything that grows with a
 * run (metric points, log lines) lives in its own collection: a Firestore document is capped at
 * 1 MiB and one document written many times a second contends.
 */

/** The most episodes one job snapshots: their ids live in the job document (~40 bytes each). */
export const MAX_JOB_EPISODES = 10_000;
/** Lease lengths a worker may ask for; it renews with heartbeats well before expiry. */
export const MIN_LEASE_S = 1;
export const MAX_LEASE_S = 3600;
export const DEFAULT_LEASE_S = 300;
/** Claims before a job whose leases keep lapsing is failed. */
export const DEFAULT_MAX_ATTEMPTS = 3;

export const TRAINING_JOB_TYPES = ["seed", "slow_loop", "finetune"] as const;
export const ZJobType = z.enum(TRAINING_JOB_TYPES);
export type JobType = z.infer<typeof ZJobType>;

export const ZJobStatus = z.enum(["queued", "running", "completed", "failed", "cancelled"]);
export type JobStatus = z.infer<typeof ZJobStatus>;
export const FINISHED_STATUSES: readonly JobStatus[] = ["completed", "failed", "cancelled"];

/** Robot model names as RURIs spell them (`companion-v1`). */
export const ZRobotModel = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, "Use lowercase letters, digits and dashes (e.g. companion-v1).");

/** The field's trainer defaults (UPSTREAM.md "Training in the field"); extra keys pass through to the notebook. */
export const DEFAULT_HYPERPARAMS = { batch_size: 256, learning_rate: 1e-4, num_steps: 10_000 } as const;
export const ZHyperparams = z
  .object({
    batch_size: z.number().int().min(1).max(65_536).default(DEFAULT_HYPERPARAMS.batch_size),
    learning_rate: z.number().gt(0).max(10).default(DEFAULT_HYPERPARAMS.learning_rate),
    num_steps: z.number().int().min(1).max(10_000_000).default(DEFAULT_HYPERPARAMS.num_steps),
  })
  .catchall(z.union([z.number(), z.string().max(200), z.boolean()]));
export type Hyperparams = z.infer<typeof ZHyperparams>;

/**
 * A saved episode filter (PRODUCT.md §9): what an operator picks in the console. Only validated
 * episodes ever qualify (also those already in or out of training); `eligible_only` narrows to the
 * ingest's `training_eligible` rule.
 */
export const ZEpisodeFilter = z
  .object({
    robot_model: ZRobotModel.optional(),
    robot_id: z.string().min(1).max(100).optional(),
    /** Every tag listed must be on the episode. */
    tags: z.array(z.string().trim().min(1).max(64)).max(10).default([]),
    uploaded_from: z.iso.datetime({ offset: true }).optional(),
    uploaded_to: z.iso.datetime({ offset: true }).optional(),
    min_quality: z.number().min(0).max(1).optional(),
    eligible_only: z.boolean().default(true),
    /** Take at most this many (the newest); without it a larger match is refused. */
    max_episodes: z.number().int().min(1).max(MAX_JOB_EPISODES).optional(),
  })
  .strict();
export type EpisodeFilter = z.infer<typeof ZEpisodeFilter>;

export const ZActorRef = z.object({ kind: z.string(), id: z.string(), email: z.string().optional() });
export type ActorRef = z.infer<typeof ZActorRef>;

export const ZLease = z.object({
  /** Secret handle the claiming worker passes back on every call. */
  id: z.string(),
  token_id: z.string(),
  worker: z.string().nullable(),
  claimed_at: z.string(),
  renewed_at: z.string(),
  expires_at: z.string(),
  lease_s: z.number().int(),
});
export type Lease = z.infer<typeof ZLease>;

/** Past leases (bounded by `max_attempts`): tells a late worker its lease lapsed rather than "not yours". */
export const ZLeaseRecord = z.object({
  id: z.string(),
  token_id: z.string(),
  worker: z.string().nullable(),
  claimed_at: z.string(),
  ended_at: z.string(),
  end_reason: z.enum(["completed", "failed", "lapsed", "cancelled"]),
});

export const ZProgress = z.object({
  step: z.number().int().min(0),
  total_steps: z.number().int().min(1).nullable(),
  fraction: z.number().min(0).max(1).nullable(),
  message: z.string().max(500).nullable(),
  updated_at: z.string(),
});
export type Progress = z.infer<typeof ZProgress>;

export const ZMetricValues = z.record(z.string(), z.number());
/** Final metrics a worker reports (`{loss, accuracy, …}`). */
export const ZMetricsInput = ZMetricValues.refine(
  (metrics) => Object.keys(metrics).length <= 64 && Object.values(metrics).every(Number.isFinite),
  "metrics holds at most 64 finite numbers.",
);

export const ZTrainingJob = z.object({
  type: ZJobType,
  status: ZJobStatus,
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.string().nullable().default(null),
  completed_at: z.string().nullable().default(null),
  robot_model: z.string().nullable().default(null),
  config: z.object({
    episode_ids: z.array(z.string()),
    /** The model this job starts from (a `models` id), e.g. the production model for a slow loop. */
    model_base: z.string().nullable().default(null),
    hyperparams: ZHyperparams,
    filter: ZEpisodeFilter.nullable().default(null),
  }),
  output: z
    .object({ model_ref: z.string().nullable(), metrics: ZMetricValues, model_id: z.string().nullable() })
    .nullable()
    .default(null),
  colab_notebook_url: z.string().nullable().default(null),
  dataset: z.object({ episode_count: z.number().int(), episode_set_sha256: z.string() }),
  lease: ZLease.nullable().default(null),
  lease_history: z.array(ZLeaseRecord).default([]),
  attempts: z.number().int().default(0),
  max_attempts: z.number().int().min(1).max(20).default(DEFAULT_MAX_ATTEMPTS),
  progress: ZProgress.nullable().default(null),
  latest_metrics: ZMetricValues.default({}),
  latest_metrics_step: z.number().int().nullable().default(null),
  metric_count: z.number().int().default(0),
  /** Where the job's log lines are: the `training_logs` collection, filtered by this job. */
  logs_ref: z.string().nullable().default(null),
  error: z.object({ message: z.string(), reason: z.string().nullable(), at: z.string() }).nullable().default(null),
  created_by: ZActorRef,
  source: z.enum(["console", "api", "slow_loop"]).default("api"),
  cancelled_by: z.string().nullable().default(null),
});
export type TrainingJob = z.infer<typeof ZTrainingJob>;
export const TrainingJobs = defineCollection("training_jobs", ZTrainingJob);

/** One reported point of a run: `step` plus any numeric metrics (`loss`, `grad_norm`, `elapsed_s`, …). */
export const ZMetricPoint = z.object({
  job_id: z.string(),
  step: z.number().int().min(0),
  at: z.string(),
  values: ZMetricValues,
});
export type MetricPoint = z.infer<typeof ZMetricPoint>;
export const TrainingMetrics = defineCollection("training_metrics", ZMetricPoint);

export const ZLogLevel = z.enum(["debug", "info", "warn", "error"]);
export const ZLogLine = z.object({
  job_id: z.string(),
  /** Sortable and unique per line (`<at>_<random>`), so readers can ask for lines after one they saw. */
  key: z.string(),
  at: z.string(),
  level: ZLogLevel,
  source: z.enum(["worker", "system"]),
  message: z.string(),
});
export type LogLine = z.infer<typeof ZLogLine>;
export const TrainingLogs = defineCollection("training_logs", ZLogLine);

export const TRAINING_SCOPES = ["training", "training:read"] as const;
export const ZTrainingScope = z.enum(TRAINING_SCOPES);
export type TrainingScope = z.infer<typeof ZTrainingScope>;

/**
 * `training_tokens/{sha256 of the token}`: the secret itself is never stored. Tokens are 256-bit
 * random values, so a plain SHA-256 is enough (no salt or slow hash), and a lookup is one read.
 */
export const ZTrainingToken = z.object({
  name: z.string(),
  /** The first characters of the secret, to recognise it in a list. */
  token_prefix: z.string(),
  scopes: z.array(ZTrainingScope),
  created_at: z.string(),
  created_by: ZActorRef,
  expires_at: z.string().nullable().default(null),
  revoked_at: z.string().nullable().default(null),
  revoked_by: z.string().nullable().default(null),
  last_used_at: z.string().nullable().default(null),
  last_used_ip: z.string().nullable().default(null),
});
export type TrainingToken = z.infer<typeof ZTrainingToken>;
export const TrainingTokens = defineCollection("training_tokens", ZTrainingToken);

/**
 * `model_lines/{robot_model}`: the one document per robot model that serializes what must be unique
 * for it — the next model version, the production model, and the queued slow-loop job.
 */
export const ZModelLine = z.object({
  robot_model: z.string(),
  latest_version: z.string().nullable().default(null),
  production_model_id: z.string().nullable().default(null),
  /** The last slow-loop job queued for this robot model (a new one waits while it is queued). */
  slow_loop_job_id: z.string().nullable().default(null),
  updated_at: z.string(),
});
export type ModelLine = z.infer<typeof ZModelLine>;
export const ModelLines = defineCollection("model_lines", ZModelLine);

export const DEFAULT_SLOW_LOOP = { min_new_episodes: 50, min_interval_s: 6 * 3600, max_episodes: 2000 } as const;

/** `slow_loop_policies/{robot_model}`: when to queue a slow-loop job for a robot model. */
export const ZSlowLoopPolicy = z.object({
  robot_model: z.string(),
  enabled: z.boolean(),
  min_new_episodes: z.number().int().min(1).max(MAX_JOB_EPISODES),
  min_interval_s: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3600),
  max_episodes: z.number().int().min(1).max(MAX_JOB_EPISODES),
  hyperparams: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
  updated_at: z.string(),
  updated_by: z.string().nullable().default(null),
  last_evaluated_at: z.string().nullable().default(null),
  last_decision: z
    .object({
      at: z.string(),
      outcome: z.enum(["queued", "waiting"]),
      reason: z.string(),
      new_episodes: z.number().int().nullable(),
      job_id: z.string().nullable(),
    })
    .nullable()
    .default(null),
  last_queued_at: z.string().nullable().default(null),
  last_job_id: z.string().nullable().default(null),
});
export type SlowLoopPolicy = z.infer<typeof ZSlowLoopPolicy>;
export const SlowLoopPolicies = defineCollection("slow_loop_policies", ZSlowLoopPolicy);

// ── Answers (what the verbs return; the API reference and its tests use these) ──────────────────

/** `TrainingJobView` (views.ts): a job without its lease's secret. */
export const ZTrainingJobView = ZTrainingJob.omit({ lease: true, lease_history: true }).extend({
  job_id: z.string(),
  lease: ZLease.pick({ token_id: true, worker: true, claimed_at: true, expires_at: true }).nullable(),
  lease_history: z.array(
    z.object({ worker: z.string().nullable(), claimed_at: z.string(), ended_at: z.string(), end_reason: z.string() }),
  ),
});

/** `TrainingJobSummary` (views.ts): the list form, without the episode ids. */
export const ZTrainingJobSummary = ZTrainingJobView.extend({
  config: ZTrainingJob.shape.config.omit({ episode_ids: true }),
});

/** `TrainingTokenView` (views.ts): a token as lists show it, never the secret. */
export const ZTrainingTokenView = z.object({
  id: z.string(),
  name: z.string(),
  token_prefix: z.string(),
  scopes: z.array(ZTrainingScope),
  created_at: z.string(),
  created_by: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  revoked_by: z.string().nullable(),
  last_used_at: z.string().nullable(),
  last_used_ip: z.string().nullable(),
  state: z.enum(["active", "revoked", "expired"]),
});

/** `heartbeatTrainingJob`'s answer. */
export const ZTrainingHeartbeatAnswer = z.object({
  job_id: z.string(),
  status: z.literal("running"),
  lease_expires_at: z.string(),
  progress: ZProgress.nullable(),
});

/** `appendTrainingLogs`'s answer. */
export const ZTrainingLogsAnswer = z.object({ job_id: z.string(), accepted: z.number().int() });

/** `reportTrainingMetrics`'s answer. */
export const ZTrainingMetricsAnswer = z.object({
  job_id: z.string(),
  accepted: z.number().int(),
  latest_step: z.number().int(),
});
