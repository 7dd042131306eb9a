import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { consumeRateLimit } from "@/lib/rate-limit/consume-rate-limit";
import { isDeviceId } from "@/lib/robots/ruri";
import { Robots } from "@/lib/robots/schemas";
import { decideOffer } from "./decide-offer";
import { createDownloadUrl } from "./download-url";
import { fieldTimestamp } from "./field-timestamp";
import { recordOffer } from "./record-offer";
import { OtaDeployments } from "./schemas";

/** The model id the field runtime looks up when none is configured. */
export const FIELD_DEFAULT_MODEL_ID = "seed";

export interface FieldIndexVersion {
  download_url: string;
  checksum: string;
  signature: string;
  size_bytes: number;
  release_notes: string;
  min_brain_version: string;
  created_at: string;
  metadata: Record<string, unknown>;
}

/**
 * Exactly the document the field runtime reads (see /docs/ota/robot-api). Its timestamps end in
 * `+00:00`, never `Z` ({@link fieldTimestamp}).
 */
export interface FieldIndex {
  models: Record<string, { latest_version: string; versions: Record<string, FieldIndexVersion> }>;
}

/**
 * `GET /api/ota/{device_id}/registry.json`: the static-looking index the robot runtime in the
 * field polls with a plain GET and no credentials. It lists, under the model id the robot is
 * configured with (`?model_id=`, default `seed`), the one bundle that robot's cohort should run:
 * the canary when the robot is in its cohort, else production — and only when the robot's known
 * version satisfies `requires_version` (a robot that never told its version counts as 0.0.0, as the
 * runtime itself does). Listing a bundle the robot does not run yet records the offer.
 *
 * An unknown device id is answered exactly like a robot with nothing to install (`{"models": {}}`),
 * so the anonymous index cannot be used to find out which device ids are registered.
 *
 * The robot's version is taken from its last heartbeat, else from the newest bundle it fetched
 * (such robots never report; a complete download is the best evidence of what they run).
 */
export async function getFieldIndex(
  ctx: Ctx,
  input: { deviceId: string; modelId?: string | null },
): Promise<FieldIndex> {
  const modelId = input.modelId?.trim() || FIELD_DEFAULT_MODEL_ID;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(modelId)) {
    throw new DomainError("invalid", `model_id "${modelId.slice(0, 64)}" must be 1–64 characters: A-Z a-z 0-9 _ . -`, {
      reason: "invalid_model_id",
    });
  }
  // Anyone may ask, so the answer must not tell registered device ids from others: an unknown or
  // malformed id gets the same empty index as a registered robot with nothing to install.
  if (!isDeviceId(input.deviceId)) return { models: {} };
  await consumeRateLimit(ctx, { key: `ota-index:${input.deviceId}`, limit: 240, windowS: 3600 });
  const robot = await ctx.db.get(Robots, input.deviceId);
  if (!robot) return { models: {} };
  let known = robot.data.current_bundle;
  if (!known) {
    const recent = await ctx.db.query(OtaDeployments, {
      where: [{ field: "device_id", op: "==", value: input.deviceId }],
      orderBy: { field: "updated_at", direction: "desc" },
      limit: 10,
    });
    known =
      recent.docs.find(
        (doc) =>
          doc.data.robot_model === robot.data.model &&
          (doc.data.state === "installed" || doc.data.state === "downloaded"),
      )?.data.version ?? null;
  }
  const decision = await decideOffer(ctx, {
    deviceId: input.deviceId,
    robotModel: robot.data.model,
    currentVersion: known,
    brainVersion: robot.data.brain_version,
  });
  const bundle = decision.offer ?? decision.current;
  if (!bundle) return { models: {} };
  if (decision.offer) await recordOffer(ctx, bundle, input.deviceId, "index");
  const link = createDownloadUrl(ctx, bundle.id, input.deviceId);
  const { manifest } = bundle.data;
  return {
    models: {
      [modelId]: {
        latest_version: bundle.data.version,
        versions: {
          [bundle.data.version]: {
            download_url: link.url,
            checksum: manifest.checksum,
            signature: bundle.data.signature,
            size_bytes: manifest.size_bytes,
            release_notes: manifest.release_notes,
            min_brain_version: manifest.min_brain_version,
            created_at: fieldTimestamp(bundle.data.created_at),
            metadata: {
              bundle_id: bundle.id,
              robot_model: bundle.data.robot_model,
              model_id: bundle.data.model_id,
              model_name: bundle.data.model_name,
              key_id: bundle.data.key_id,
              requires_version: manifest.requires_version,
              rollout_status: bundle.data.rollout.status,
              download_url_expires_at: fieldTimestamp(link.expiresAt),
            },
          },
        },
      },
    },
  };
}
