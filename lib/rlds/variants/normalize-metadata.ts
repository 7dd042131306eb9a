import { camelToSnake } from "@/lib/rlds/json/camel-case";
import { isLosslessObject, type LosslessValue } from "@/lib/rlds/json/lossless";

type LosslessObject = { [key: string]: LosslessValue };

/** Keys that only the XR app writes; any of them marks a step as camelCase. */
const XR_STEP_KEYS = ["isTerminal", "isFirst", "isLast", "stepMetadata"];
const XR_OBSERVATION_KEYS = [
  "headsetPose",
  "rightHandPose",
  "leftHandPose",
  "robotState",
  "videoFrameId",
  "depthFrameId",
];

/**
 * Whether a parsed step comes from the XR app (camelCase keys). Only the app's own signature keys
 * count, so an episode whose free-form observation happens to hold a camelCase key is left as is.
 */
export function isXrAppStep(step: unknown): boolean {
  if (typeof step !== "object" || step === null) return false;
  const record = step as Record<string, unknown>;
  if (XR_STEP_KEYS.some((key) => key in record)) return true;
  const observation = record.observation;
  return (
    typeof observation === "object" &&
    observation !== null &&
    XR_OBSERVATION_KEYS.some((key) => key in (observation as Record<string, unknown>))
  );
}

/** Whether metadata comes from the XR app (`continuon.xr_mode`, `xrMode`, `software.xrAppVersion`). */
export function isXrAppMetadata(metadata: LosslessObject): boolean {
  if ("continuon.xr_mode" in metadata || "xrMode" in metadata || "controlRole" in metadata) return true;
  const software = metadata.software;
  return isLosslessObject(software) && ("xrAppVersion" in software || "brainVersion" in software);
}

/** Whether a step is in the v2.0 unified schema. */
export function isV2Step(step: unknown): boolean {
  if (typeof step !== "object" || step === null) return false;
  return "step_idx" in step || "timestamp_us" in step || "is_truncated" in step;
}

function renameDeep(value: LosslessValue): LosslessValue {
  if (Array.isArray(value)) return value.map(renameDeep);
  if (!isLosslessObject(value)) return value;
  const out: LosslessObject = {};
  for (const [key, child] of Object.entries(value)) out[camelToSnake(key)] = renameDeep(child);
  return out;
}

const XR_SOFTWARE: Record<string, string> = {
  xr_app_version: "xr_app",
  brain_version: "continuonbrain_os",
  glove_firmware_version: "glove_firmware",
};

/**
 * Canonical metadata from what the episode carried. Most variants keep their metadata as sent
 * (numbers keep their lexemes); the XR app's is mapped to the v1.1 names: camelCase → snake_case,
 * `continuon.<key>` → `<key>`, `software {xrAppVersion, brainVersion, gloveFirmwareVersion}` →
 * `{xr_app, continuonbrain_os, glove_firmware}`. Keys already in canonical form win over mapped ones.
 */
export function normalizeMetadata(metadata: LosslessObject, xrApp: boolean): LosslessObject {
  if (!xrApp) return metadata;
  const renamed = renameDeep(metadata) as LosslessObject;
  const out: LosslessObject = {};
  for (const [key, value] of Object.entries(renamed)) {
    const bare = key.startsWith("continuon.") ? key.slice("continuon.".length) : key;
    if (bare !== key && (bare in renamed || bare in metadata)) continue;
    out[bare] = value;
  }
  const software = out.software;
  if (isLosslessObject(software)) {
    const mapped: LosslessObject = {};
    for (const [key, value] of Object.entries(software)) {
      const canonical = XR_SOFTWARE[key] ?? key;
      if (canonical !== key && canonical in software) continue;
      mapped[canonical] = value;
    }
    out.software = mapped;
  }
  return out;
}

/**
 * Metadata the field writes under other names, mapped to the canonical one when that is absent:
 * the robot runtime's `robot_type` (in the metadata or its package's `upload_manifest.json`) is
 * the `robot_model`. The original key is kept.
 */
export function mapFieldAliases(metadata: LosslessObject, manifest: LosslessObject | null): LosslessObject {
  if (isPresent(metadata.robot_model)) return metadata;
  const robotType = [metadata.robot_type, manifest?.robot_type].find(
    (value) => typeof value === "string" && value.trim() !== "",
  );
  return robotType === undefined ? metadata : { ...metadata, robot_model: robotType };
}

/**
 * The XR app's `X-Continuon-Tag-<name>` headers (lowercase names), as metadata: each fills the
 * metadata key of its name when the archive's metadata lacks it (`xr_mode`, `control_role`,
 * `environment_id`, …); `list` is a comma-separated list of tags added to `tags`.
 */
export function applyHeaderTags(
  metadata: LosslessObject,
  headerTags: Readonly<Record<string, string>>,
): LosslessObject {
  const out: LosslessObject = { ...metadata };
  for (const [key, value] of Object.entries(headerTags)) {
    if (key === "list") {
      const tags = Array.isArray(out.tags) ? [...out.tags] : [];
      for (const tag of value.split(",").map((t) => t.trim())) {
        if (tag !== "" && !tags.includes(tag)) tags.push(tag);
      }
      out.tags = tags;
    } else if (!isPresent(out[key]) && value.trim() !== "") {
      out[key] = value.trim();
    }
  }
  return out;
}

function isPresent(value: LosslessValue | undefined): boolean {
  return value !== undefined && value !== null && value !== "";
}
