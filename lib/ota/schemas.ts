import { z } from "zod";
import { defineCollection } from "@/lib/storage/typed";

/**
 * OTA collections (PRODUCT.md §4): `ota_bundles/{bundle_id}`, `ota_deployments/{bundle_id}_{device_id}`,
 * `ota_tracks/{robot_model}` (which bundle is in production and which rollout is active, per robot
 * model) and `ota_rollout_snapshots/{bundle_id}_{minute}` (the rollout chart's points).
 */

/** Rollout states. `built` (not yet staged) and `superseded` (a production bundle replaced by a newer one) extend the seed's list. */
export const ROLLOUT_STATUSES = [
  "built",
  "staged",
  "canary",
  "production",
  "paused",
  "rolled_back",
  "superseded",
] as const;
export const ZRolloutStatus = z.enum(ROLLOUT_STATUSES);
export type RolloutStatus = z.infer<typeof ZRolloutStatus>;

export const DEPLOYMENT_STATES = ["offered", "downloaded", "installed", "failed", "rolled_back"] as const;
export const ZDeploymentState = z.enum(DEPLOYMENT_STATES);
export type DeploymentState = z.infer<typeof ZDeploymentState>;

export const ZRolloutPolicy = z.object({
  /** Pause when the share of failed outcomes passes this percentage. */
  error_threshold_pct: z.number().min(0).max(100),
  /** Outcomes (installed + failed reports) needed before the threshold applies. */
  min_sample: z.number().int().min(1).max(1_000_000),
  auto_pause: z.boolean(),
});
export type RolloutPolicy = z.infer<typeof ZRolloutPolicy>;

export const DEFAULT_ROLLOUT_POLICY: RolloutPolicy = { error_threshold_pct: 20, min_sample: 5, auto_pause: true };

const ZCounts = z.object({
  offered: z.number().int(),
  downloaded: z.number().int(),
  installed: z.number().int(),
  failed: z.number().int(),
  rolled_back: z.number().int(),
});
export type DeploymentCounts = z.infer<typeof ZCounts>;
export const ZERO_COUNTS: DeploymentCounts = { offered: 0, downloaded: 0, installed: 0, failed: 0, rolled_back: 0 };

const ZUserRef = z.object({ uid: z.string(), email: z.string() });
const ZActorRef = z.object({ kind: z.string(), id: z.string(), email: z.string().optional() });

export const ZApproval = z.object({
  step: z.enum(["stage", "canary", "raise", "production", "resume"]),
  from_status: ZRolloutStatus,
  to_status: ZRolloutStatus,
  target_percentage: z.number(),
  by: ZUserRef,
  at: z.string(),
  note: z.string().nullable(),
});
export type Approval = z.infer<typeof ZApproval>;

export const ZHistoryEntry = z.object({
  at: z.string(),
  action: z.string(),
  from_status: ZRolloutStatus,
  to_status: ZRolloutStatus,
  target_percentage: z.number(),
  actor: ZActorRef,
  reason: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof ZHistoryEntry>;

export const ZBundleFile = z.object({ path: z.string(), sha256: z.string(), size_bytes: z.number().int() });
export type BundleFile = z.infer<typeof ZBundleFile>;

export const ZOtaBundle = z.object({
  version: z.string(),
  robot_model: z.string(),
  created_at: z.string(),
  created_by: z.string().nullable(),
  training_job_id: z.string().nullable(),
  /** Blob key of the bundle file: `bundles/ota/{robot_model}/{version}.bundle`. */
  storage_ref: z.string(),
  model_id: z.string(),
  model_name: z.string(),
  model_version: z.string(),
  dataset_hash: z.string().nullable(),
  build: z.object({
    status: z.enum(["queued", "building", "ready", "failed"]),
    /** Changes on every (re)start, so a stale builder cannot finish over a newer one. */
    attempt: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    progress_pct: z.number(),
    /** The last attempt's error (kept while a retry runs, so the console can say why). */
    error: z.string().nullable(),
    /** Which try this is (1 = first) and how many the worker makes before the build fails. */
    attempts: z.number().int().optional(),
    max_attempts: z.number().int().optional(),
  }),
  manifest: z.object({
    /** `sha256:<hex>` of the whole bundle file (empty until built). */
    checksum: z.string(),
    size_bytes: z.number().int(),
    /** A semver range the robot's installed version must satisfy, or null for any. */
    requires_version: z.string().nullable(),
    /** The lowest robot runtime version that can run this bundle (the field index's `min_brain_version`). */
    min_brain_version: z.string(),
    release_notes: z.string(),
    files: z.array(ZBundleFile),
    required_files: z.array(z.string()),
  }),
  /** Detached Ed25519 signature over the whole bundle file, standard base64 (empty until built). */
  signature: z.string(),
  key_id: z.string(),
  rollout: z.object({
    status: ZRolloutStatus,
    target_percentage: z.number(),
    /** Robots whose last outcome is `installed`. */
    deployed_count: z.number().int(),
    /** Robots whose last outcome is a failure (`failed`, or a rollback the robot did itself). */
    error_count: z.number().int(),
    /** Robots in each deployment state now. */
    counts: ZCounts,
    policy: ZRolloutPolicy,
    /** The production bundle this one replaces (what a rollback re-offers), fixed when staged. */
    previous_bundle_id: z.string().nullable(),
    paused_from: z.enum(["canary", "production"]).nullable(),
    paused_reason: z.string().nullable(),
    paused_by: z.string().nullable(),
    paused_at: z.string().nullable(),
    auto_paused: z.boolean(),
    /** Outcomes counted before the last resume: the policy looks at what came after. */
    baseline: z.object({ deployed: z.number().int(), errors: z.number().int() }),
    updated_at: z.string(),
  }),
  /** Who approved each forward step (the newest 100; the audit log keeps every one). */
  approvals: z.array(ZApproval),
  /** Status changes (the newest 100; the audit log keeps every one). */
  history: z.array(ZHistoryEntry),
});
export type OtaBundle = z.infer<typeof ZOtaBundle>;
export const OtaBundles = defineCollection("ota_bundles", ZOtaBundle);

export const ZOtaDeployment = z.object({
  bundle_id: z.string(),
  device_id: z.string(),
  robot_model: z.string(),
  version: z.string(),
  state: ZDeploymentState,
  /** The robot's last outcome: what the rollout's health counts. A fleet rollback keeps it. */
  outcome: z.enum(["installed", "failed"]).nullable(),
  error: z.string().nullable(),
  /** `robot`: the robot rolled back by itself (a failure); `rollout`: the operator rolled the bundle back. */
  rolled_back_by: z.enum(["robot", "rollout"]).nullable(),
  /** How the robot got the offer: the signed `check` call or the field runtime's `registry.json` index. */
  offered_via: z.enum(["check", "index"]),
  cohort_bucket: z.number().int(),
  offered_at: z.string(),
  downloaded_at: z.string().nullable(),
  installed_at: z.string().nullable(),
  failed_at: z.string().nullable(),
  rolled_back_at: z.string().nullable(),
  /** Completed downloads of the bundle file through its signed URL (a robot that never reports is seen here). */
  fetch_count: z.number().int(),
  updated_at: z.string(),
});
export type OtaDeployment = z.infer<typeof ZOtaDeployment>;
export const OtaDeployments = defineCollection("ota_deployments", ZOtaDeployment);

export function deploymentId(bundleId: string, deviceId: string): string {
  return `${bundleId}_${deviceId}`;
}

/**
 * What a robot's update check needs of a bundle, kept on its robot model's track for the active and
 * the production bundle (written in the same transaction as every status change), so the hot check
 * reads one small document instead of two bundles with their files, approvals and history.
 */
export const ZOfferView = z.object({
  version: z.string(),
  robot_model: z.string(),
  created_at: z.string(),
  model_id: z.string(),
  model_name: z.string(),
  signature: z.string(),
  key_id: z.string(),
  manifest: z.object({
    checksum: z.string(),
    size_bytes: z.number().int(),
    requires_version: z.string().nullable(),
    min_brain_version: z.string(),
    release_notes: z.string(),
  }),
  rollout: z.object({ status: ZRolloutStatus, target_percentage: z.number() }),
});
export type OfferView = z.infer<typeof ZOfferView>;
/** A bundle as the offer logic sees it (a full bundle document also fits). */
export interface OfferBundle {
  id: string;
  data: OfferView;
}

export function offerViewOf(data: OfferView, rollout: OfferView["rollout"] = data.rollout): OfferView {
  const { manifest } = data;
  return {
    version: data.version,
    robot_model: data.robot_model,
    created_at: data.created_at,
    model_id: data.model_id,
    model_name: data.model_name,
    signature: data.signature,
    key_id: data.key_id,
    manifest: {
      checksum: manifest.checksum,
      size_bytes: manifest.size_bytes,
      requires_version: manifest.requires_version,
      min_brain_version: manifest.min_brain_version,
      release_notes: manifest.release_notes,
    },
    rollout: { status: rollout.status, target_percentage: rollout.target_percentage },
  };
}

export const ZOtaTrack = z.object({
  robot_model: z.string(),
  /** The bundle every robot of this model should run (status `production`). */
  production_bundle_id: z.string().nullable(),
  production_version: z.string().nullable(),
  /** Production bundles before the current one, oldest first (newest 20). */
  previous_production_ids: z.array(z.string()),
  /** The one rollout in flight (`staged`, `canary` or `paused`), if any. */
  active_bundle_id: z.string().nullable(),
  /** Versions rolled back: robots still running one of them are offered the production bundle, even though it is older. */
  rolled_back_versions: z.array(z.string()),
  /** Offer views of the active and the production bundle, by bundle id. */
  offer_views: z.record(z.string(), ZOfferView).default({}),
  updated_at: z.string(),
});
export type OtaTrack = z.infer<typeof ZOtaTrack>;
export const OtaTracks = defineCollection("ota_tracks", ZOtaTrack);

export const ZRolloutSnapshot = z.object({
  bundle_id: z.string(),
  /** The minute this point stands for (ISO, seconds zero). */
  at: z.string(),
  status: ZRolloutStatus,
  target_percentage: z.number(),
  counts: ZCounts,
});
export type RolloutSnapshot = z.infer<typeof ZRolloutSnapshot>;
export const RolloutSnapshots = defineCollection("ota_rollout_snapshots", ZRolloutSnapshot);

// ── Inputs ───────────────────────────────────────────────────────────────────────────────────────

const ZBundleId = z.string().min(1).max(200);
const ZNote = z.string().trim().max(500).optional();

export const ZPolicyInput = z.object({
  error_threshold_pct: z.number().min(0).max(100).optional(),
  min_sample: z.number().int().min(1).max(1_000_000).optional(),
  auto_pause: z.boolean().optional(),
});

export const ZBuildBundleInput = z.object({
  model_id: z.string().min(1).max(200),
  version: z.string().trim().min(1).max(40),
  /** A semver range over the robot's installed bundle version (e.g. `>=1.0.0`); absent: any. */
  requires_version: z.string().trim().max(100).nullable().optional(),
  /** The lowest robot runtime version able to run it; default `0.1.0` (the field runtime's own default). */
  min_brain_version: z.string().trim().max(40).optional(),
  release_notes: z.string().max(4000).optional(),
});
export type BuildBundleInput = z.infer<typeof ZBuildBundleInput>;

export const ZStageInput = z.object({ bundle_id: ZBundleId, policy: ZPolicyInput.optional(), note: ZNote });
export const ZApproveInput = z.object({
  bundle_id: ZBundleId,
  to: z.enum(["canary", "production"]),
  target_percentage: z.number().optional(),
  note: ZNote,
});
export const ZRaiseInput = z.object({ bundle_id: ZBundleId, target_percentage: z.number(), note: ZNote });
export const ZPauseInput = z.object({ bundle_id: ZBundleId, reason: z.string().trim().max(500).optional() });
export const ZResumeInput = z.object({ bundle_id: ZBundleId, note: ZNote });
export const ZRollbackInput = z.object({ bundle_id: ZBundleId, reason: z.string().trim().max(500).optional() });
export const ZUpdatePolicyInput = z.object({ bundle_id: ZBundleId, policy: ZPolicyInput });

/** `GET /api/ota/check` query. */
export const ZCheckQuery = z.object({
  current_version: z.string().trim().max(40).optional(),
  brain_version: z.string().trim().max(40).optional(),
});

/** `POST /api/ota/report` body. */
export const ZReportInput = z.object({
  bundle_id: ZBundleId,
  status: z.enum(["downloaded", "installed", "failed", "rolled_back"]),
  error: z.string().max(2000).nullable().optional(),
  /** When present, must be the signing robot. */
  device_id: z.string().max(64).optional(),
});
export type ReportInput = z.infer<typeof ZReportInput>;

// ── Answers (what the verbs return; the API reference and its tests use these) ──────────────────

/** `PendingUpdate` (pending-update.ts): `pending.ota` of a heartbeat answer. */
export const ZPendingUpdate = z.object({
  bundle_id: z.string(),
  version: z.string(),
  rollback: z.boolean(),
  check_url: z.string(),
});

/** `UpdateOffer` (check-for-update.ts): the update `GET /api/ota/check` offers. */
export const ZUpdateOffer = z.object({
  bundle_id: z.string(),
  version: z.string(),
  download_url: z.string(),
  expires_at: z.string(),
  checksum: z.string(),
  signature: z.string(),
  key_id: z.string(),
  size_bytes: z.number().int(),
  requires_version: z.string().nullable(),
  min_brain_version: z.string(),
  release_notes: z.string(),
  rollback: z.boolean(),
});

/** `NoOfferReason` (decide-offer.ts). */
export const ZNoOfferReason = z.enum([
  "no_release",
  "up_to_date",
  "not_in_cohort",
  "rollout_paused",
  "requires_version_not_met",
  "min_brain_version_not_met",
]);

/** `CheckAnswer` (check-for-update.ts). */
export const ZCheckAnswer = z.union([
  z.object({ update: ZUpdateOffer }),
  z.object({ update: z.null(), reason: ZNoOfferReason }),
]);

/** `ReportAnswer` (report-deployment.ts). */
export const ZReportAnswer = z.object({ bundle_id: z.string(), state: ZDeploymentState, changed: z.boolean() });

/** `FieldIndexVersion` (get-field-index.ts). */
export const ZFieldIndexVersion = z.object({
  download_url: z.string(),
  checksum: z.string(),
  signature: z.string(),
  size_bytes: z.number().int(),
  release_notes: z.string(),
  min_brain_version: z.string(),
  /** ISO 8601 with `+00:00`, never `Z`: Python 3.10's `datetime.fromisoformat` reads it. */
  created_at: z.string(),
  metadata: z.record(z.string(), z.unknown()),
});

/** `FieldIndex` (get-field-index.ts): exactly the document the field runtime reads. */
export const ZFieldIndex = z.object({
  models: z.record(
    z.string(),
    z.object({ latest_version: z.string(), versions: z.record(z.string(), ZFieldIndexVersion) }),
  ),
});

/** `OtaPublicKey` (signing-key.ts). */
export const ZOtaPublicKey = z.object({
  key_id: z.string(),
  public_key: z.string(),
  jwk: z.object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string(),
    kid: z.string(),
    use: z.literal("sig"),
    alg: z.literal("EdDSA"),
    key_ops: z.tuple([z.literal("verify")]),
  }),
  status: z.enum(["current", "previous"]),
});
