import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { requireRobot } from "@/lib/robots/access";
import { Robots } from "@/lib/robots/schemas";
import { parseInput } from "@/lib/validation";
import { afterDeploymentChange } from "./after-deployment-change";
import { decideOffer, type NoOfferReason } from "./decide-offer";
import { createDownloadUrl } from "./download-url";
import { recordDeploymentEvent } from "./record-deployment-event";
import { recordOffer } from "./record-offer";
import { deploymentId, OtaDeployments, ZCheckQuery } from "./schemas";
import { assertPlainVersion } from "./versions";

/** An update as `GET /api/ota/check` answers it (PRODUCT.md §6.3, plus a few fields). */
export interface UpdateOffer {
  bundle_id: string;
  version: string;
  /** Signed, short-lived; answers 200 (or 206 for a `Range`), streamed. */
  download_url: string;
  expires_at: string;
  checksum: string;
  /** Ed25519 over the whole bundle file, standard base64. */
  signature: string;
  key_id: string;
  size_bytes: number;
  requires_version: string | null;
  min_brain_version: string;
  release_notes: string;
  /** True when this is an older production bundle replacing one that was rolled back. */
  rollback: boolean;
}

export type CheckAnswer = { update: UpdateOffer } | { update: null; reason: NoOfferReason };

/**
 * `GET /api/ota/check?current_version=…`: what the signing robot should install now, if anything.
 * The robot's model comes from its registry entry (never from the request); its installed version
 * from `current_version`, else from its last heartbeat. The first offer of a bundle to a robot is
 * recorded (`offered`). A robot checking in with the version it was offered is counted `installed`
 * (it evidently runs it), which covers robots that check but never report.
 */
export async function checkForUpdate(ctx: Ctx, rawQuery: unknown): Promise<CheckAnswer> {
  const { deviceId } = requireRobot(ctx);
  const query = parseInput(ZCheckQuery, rawQuery ?? {}, "query");
  if (query.current_version !== undefined) assertPlainVersion(query.current_version, "current_version");
  const robot = await ctx.db.get(Robots, deviceId);
  if (!robot) {
    throw new DomainError("not_found", `Robot ${deviceId} is not registered.`, { reason: "robot_not_found" });
  }
  const decision = await decideOffer(ctx, {
    deviceId,
    robotModel: robot.data.model,
    currentVersion: query.current_version ?? robot.data.current_bundle,
    brainVersion: query.brain_version ?? robot.data.brain_version,
  });
  if (!decision.offer) {
    if (decision.current) {
      // A plain read first: the common answer ("up to date") stays free of writes.
      const known = await ctx.db.get(OtaDeployments, deploymentId(decision.current.id, deviceId));
      if (known && (known.data.state === "offered" || known.data.state === "downloaded")) {
        const result = await recordDeploymentEvent(ctx, decision.current.id, deviceId, { kind: "installed" });
        if (result?.changed) await afterDeploymentChange(ctx, decision.current.id, result.outcomeChanged);
      }
    }
    return { update: null, reason: decision.reason ?? "up_to_date" };
  }
  const bundle = decision.offer;
  const { created } = await recordOffer(ctx, bundle, deviceId, "check");
  if (created) await afterDeploymentChange(ctx, bundle.id, false);
  const link = createDownloadUrl(ctx, bundle.id, deviceId);
  return {
    update: {
      bundle_id: bundle.id,
      version: bundle.data.version,
      download_url: link.url,
      expires_at: link.expiresAt,
      checksum: bundle.data.manifest.checksum,
      signature: bundle.data.signature,
      key_id: bundle.data.key_id,
      size_bytes: bundle.data.manifest.size_bytes,
      requires_version: bundle.data.manifest.requires_version,
      min_brain_version: bundle.data.manifest.min_brain_version,
      release_notes: bundle.data.manifest.release_notes,
      rollback: decision.rollback,
    },
  };
}
