import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { requireRobot, requireRobotSelf } from "@/lib/robots/access";
import { filesManifestChecksum } from "@/lib/rlds/process-episode-files";
import { parseInput } from "@/lib/validation";
import { assertEpisodeId, parseEpisodeRef } from "./episode-keys";
import { verifyManifestSignature } from "./manifest-signature";
import { normalizeChecksum, runIngest } from "./run-ingest";
import { Episodes } from "./schemas";
import { toIngestAnswer, type IngestAnswer } from "./views";

export const ZIngestEpisodeInput = z
  .object({
    episode_ref: z.string().max(300).optional(),
    episode_id: z.string().max(200).optional(),
    /** `sha256:<hex>` (or bare hex) of the uploaded object; for `files`, of the files manifest. */
    checksum: z.string().max(80),
    /** Optional device-signed manifest (compact JWS, see `manifest-signature.ts`). */
    manifest_signature: z.string().max(262_144).optional(),
  })
  .refine((input) => input.episode_ref !== undefined || input.episode_id !== undefined, {
    message: "give episode_ref or episode_id",
    path: ["episode_ref"],
  });

/**
 * `POST /api/rlds/ingest` — the robot says its upload is complete. Streams the object once
 * (recomputing its SHA-256 and comparing it with `checksum`), unpacks it safely, normalizes,
 * validates and indexes it into a staging folder, then promotes it to `episodes/validated/` and
 * queues the TFRecord conversion, or keeps it in quarantine with its reasons
 * (`ingest-state.ts` has the state machine). Answers the verdict: `validated` or `rejected`
 * with errors and warnings naming step and field.
 *
 * Idempotent: the same object again gets the same answer; other bytes for a validated episode are
 * 409 `checksum_conflict`; before anything was uploaded, 409 `upload_missing`. A robot may ingest
 * only its own episodes: an `episode_ref` of another robot is 403 `robot_mismatch`, another
 * robot's `episode_id` is 404.
 */
export async function ingestEpisode(ctx: Ctx, raw: unknown): Promise<IngestAnswer> {
  const robot = requireRobot(ctx);
  const input = parseInput(ZIngestEpisodeInput, raw, "body");
  let episodeId: string;
  if (input.episode_ref !== undefined) {
    const ref = parseEpisodeRef(input.episode_ref);
    requireRobotSelf(ctx, ref.robotId, "episode_ref");
    if (input.episode_id !== undefined && input.episode_id !== ref.episodeId) {
      throw new DomainError(
        "invalid",
        `Invalid body: episode_id ${input.episode_id} is not the one episode_ref names.`,
        {
          reason: "invalid_input",
        },
      );
    }
    episodeId = ref.episodeId;
  } else {
    episodeId = assertEpisodeId(input.episode_id);
  }
  const checksum = normalizeChecksum(input.checksum);
  const doc = await ctx.db.get(Episodes, episodeId);
  if (!doc || doc.data.robot_id !== robot.deviceId) {
    throw new DomainError(
      "not_found",
      `Episode ${episodeId} was not found for robot ${robot.deviceId}; ask for an upload URL first.`,
      {
        reason: "episode_not_found",
      },
    );
  }
  let signature: { token: string; verifiedAt: string } | undefined;
  if (input.manifest_signature !== undefined) {
    const files = doc.data.upload?.format === "files" ? doc.data.upload.files : undefined;
    if (files && checksum !== filesManifestChecksum(files)) {
      throw new DomainError("invalid", "checksum is not the checksum of the declared files manifest.", {
        reason: "checksum_mismatch",
      });
    }
    await verifyManifestSignature(ctx, {
      token: input.manifest_signature,
      robotId: robot.deviceId,
      episodeId,
      checksum,
      ...(files ? { files } : {}),
    });
    signature = { token: input.manifest_signature, verifiedAt: ctx.now().toISOString() };
  }
  const done = await runIngest(ctx, {
    episodeId,
    requestedChecksum: checksum,
    mode: "robot",
    ...(signature ? { signature } : {}),
  });
  return toIngestAnswer(episodeId, done.data);
}
