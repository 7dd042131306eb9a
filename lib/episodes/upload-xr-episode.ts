import type { Readable } from "node:stream";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { bundleIdFor } from "@/lib/ota/build-bundle";
import { requireRobot } from "@/lib/robots/access";
import { Robots } from "@/lib/robots/schemas";
import { assertEpisodeId, rawUploadKey } from "./episode-keys";
import { openEpisodeUpload } from "./request-episode-upload";
import { assertUploadFits } from "./robot-storage";
import { ingestOf, isValidatedStatus, runIngest } from "./run-ingest";
import { Episodes } from "./schemas";
import { toIngestAnswer, type IngestAnswer } from "./views";

/** `X-Continuon-Tag-*` headers the XR app sends; anything else under that prefix is kept too (at most 16). */
export const XR_TAG_HEADER_PREFIX = "x-continuon-tag-";

export interface UploadXrEpisodeInput {
  /** `X-Continuon-Episode-Id` (or `?episode_id=`); by default the id is derived from the body's digest. */
  episodeId: string | null;
  /** Lowercase hex SHA-256 of the body (from the signed Content-Digest). */
  sha256: string;
  /** `X-Continuon-Tag-<name>` → value. */
  tags: Record<string, string>;
  body: Readable;
}

/**
 * `POST /api/rlds/upload` — the XR app's upload: a ZIP of the episode directory in the body,
 * `X-Continuon-Tag-*` headers, robot-signed. Stores the ZIP as the raw upload, then runs the very
 * same ingest as `POST /api/rlds/ingest` with the signed body digest as the checksum, and answers
 * its verdict. The XR app retries three times a second apart: without an explicit id the episode
 * id is `xr_` + the first 32 hex digits of the body's SHA-256, so a retry of the same bytes is the
 * same episode and gets the same answer.
 */
export async function uploadXrEpisode(ctx: Ctx, input: UploadXrEpisodeInput): Promise<IngestAnswer> {
  const robot = requireRobot(ctx);
  if (!/^[0-9a-f]{64}$/.test(input.sha256)) {
    throw new DomainError("invalid", "The upload needs a sha-256 Content-Digest.", { reason: "digest_missing" });
  }
  const episodeId = input.episodeId === null ? `xr_${input.sha256.slice(0, 32)}` : assertEpisodeId(input.episodeId);
  const checksum = `sha256:${input.sha256}`;
  const existing = await ctx.db.get(Episodes, episodeId);
  if (existing && existing.data.robot_id !== robot.deviceId) {
    throw new DomainError("conflict", `Episode id ${episodeId} is already used by another robot; choose another id.`, {
      reason: "episode_id_taken",
    });
  }
  if (existing) {
    const episode = existing.data;
    const state = ingestOf(episode).state;
    const answered =
      state === "done" &&
      (isValidatedStatus(episode.status) ||
        (episode.status === "rejected" && ingestOf(episode).requested_checksum === checksum));
    // Same bytes again (a retry), or a validated episode: answer without reading the body again.
    if (answered || state === "promoting" || state === "processing") {
      input.body.resume();
      const done = await runIngest(ctx, { episodeId, requestedChecksum: checksum, mode: "robot" });
      return toIngestAnswer(episodeId, done.data);
    }
  }
  const registry = await ctx.db.require(Robots, robot.deviceId, "Robot");
  const rawKey = rawUploadKey(robot.deviceId, episodeId, "zip");
  // The body lands in raw/ first: a refused body (digest, size, quota) stores nothing and creates nothing.
  await assertUploadFits(ctx, robot.deviceId, episodeId, ctx.config.episodeMaxBytes);
  await ctx.blobs.put(rawKey, input.body, {
    contentType: "application/zip",
    maxSizeBytes: ctx.config.episodeMaxBytes,
  });
  const nowIso = ctx.now().toISOString();
  const tags = Object.fromEntries(
    Object.entries(input.tags)
      .slice(0, 16)
      .map(([k, v]) => [k, v.slice(0, 500)]),
  );
  await openEpisodeUpload(
    ctx,
    episodeId,
    robot.deviceId,
    {
      format: "zip",
      via: "xr_zip",
      raw_key: rawKey,
      claimed_key: null,
      content_type: "application/zip",
      max_size_bytes: ctx.config.episodeMaxBytes,
      files: [],
      declared: { step_count: null, duration_ms: null },
      requested_at: nowIso,
      expires_at: null,
      last_put_at: nowIso,
      puts: 1,
      auto_ingest: false,
      declared_tags: tags,
    },
    {
      robot_model: registry.data.model,
      produced_by_bundle: registry.data.current_bundle
        ? bundleIdFor(registry.data.model, registry.data.current_bundle)
        : null,
      tags: (tags.list ?? "")
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
    },
  );
  const done = await runIngest(ctx, { episodeId, requestedChecksum: checksum, mode: "robot" });
  return toIngestAnswer(episodeId, done.data);
}
