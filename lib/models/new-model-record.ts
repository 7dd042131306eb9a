import { DomainError } from "@/lib/errors";
import type { ModelLine } from "@/lib/training/schemas";
import { compareVersions, nextModelVersion, VERSION_PATTERN } from "@/lib/training/model-version";
import type { Model } from "./schemas";

export interface NewModelInput {
  name: string;
  robotModel: string;
  stage: "seed" | "checkpoint";
  storageRef: string;
  files: Model["files"];
  metrics: Record<string, number>;
  trainingJobId: string | null;
  dataset: Model["dataset"];
  parentModelId: string | null;
  /** An explicit version; otherwise the next one of the robot model's line. */
  version?: string;
  createdBy: string;
  now: string;
}

/**
 * The document of a new model and the robot model line after it, computed inside the caller's
 * transaction (which read the line), so two registrations never get the same version.
 */
export function newModelRecord(line: ModelLine | null, input: NewModelInput): { model: Model; line: ModelLine } {
  const latest = line?.latest_version ?? null;
  let version = input.version;
  if (version !== undefined) {
    if (!VERSION_PATTERN.test(version)) {
      throw new DomainError("invalid", `Model version ${version} is not MAJOR.MINOR.PATCH.`, {
        reason: "invalid_version",
      });
    }
    if (latest && compareVersions(version, latest) <= 0) {
      throw new DomainError(
        "conflict",
        `Model version ${version} is not newer than ${input.robotModel}'s latest, ${latest}.`,
        {
          reason: "version_not_newer",
        },
      );
    }
  } else {
    version = nextModelVersion(latest, input.stage === "seed" ? "minor" : "patch");
  }
  return {
    model: {
      name: input.name,
      version,
      robot_model: input.robotModel,
      stage: input.stage,
      storage_ref: input.storageRef,
      training_job_id: input.trainingJobId,
      dataset: input.dataset,
      metrics: input.metrics,
      created_at: input.now,
      created_by: input.createdBy,
      promoted_at: null,
      promoted_by: null,
      parent_model_id: input.parentModelId,
      origin_stage: input.stage,
      retired_at: null,
      files: input.files,
    },
    line: {
      robot_model: input.robotModel,
      latest_version: version,
      production_model_id: line?.production_model_id ?? null,
      slow_loop_job_id: line?.slow_loop_job_id ?? null,
      updated_at: input.now,
    },
  };
}
