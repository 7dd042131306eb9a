import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { formatBytes } from "@/lib/format-bytes";
import { getRobot } from "@/lib/robots/get-robot";
import { ingestOf } from "./run-ingest";
import { Episodes, type Episode } from "./schemas";

/** What one robot's episodes take, against its quota (`ROBOT_STORAGE_QUOTA_BYTES`, /docs/ingestion). */
export interface RobotStorage {
  /** Bytes of the robot's ingested uploads (validated and quarantined alike). */
  stored_bytes: number;
  /** Upload URLs still open, each counted at the most it may take. */
  reserved_bytes: number;
  quota_bytes: number;
  /** The largest upload one episode may be (`EPISODE_MAX_BYTES`). */
  episode_max_bytes: number;
  episodes: number;
}

function reservation(ctx: Ctx, episode: Episode): number {
  const upload = episode.upload;
  if (!upload || ingestOf(episode).state !== "awaiting_upload") return 0;
  if (upload.expires_at !== null && Date.parse(upload.expires_at) <= ctx.now().getTime()) return 0;
  return upload.max_size_bytes;
}

/**
 * Add up a robot's episode storage: the size of every ingested upload, plus the maximum of every
 * upload URL still open (what it may still take). `except` leaves one episode out (the one being
 * asked for again).
 */
export async function measureRobotStorage(ctx: Ctx, robotId: string, except?: string): Promise<RobotStorage> {
  let stored = 0;
  let reserved = 0;
  let episodes = 0;
  let cursor: string | undefined;
  do {
    const page = await ctx.db.query(Episodes, {
      where: [{ field: "robot_id", op: "==", value: robotId }],
      orderBy: { field: "created_at", direction: "desc" },
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    for (const doc of page.docs) {
      if (doc.id === except) continue;
      episodes += 1;
      const pending = reservation(ctx, doc.data);
      stored += pending > 0 ? 0 : (doc.data.size_bytes ?? 0);
      reserved += pending;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return {
    stored_bytes: stored,
    reserved_bytes: reserved,
    quota_bytes: ctx.config.robotStorageQuotaBytes,
    episode_max_bytes: ctx.config.episodeMaxBytes,
    episodes,
  };
}

/**
 * Refuse an upload of up to `bytes` for `episodeId`: over the per-episode cap, 413
 * `episode_too_large`; past the robot's quota (stored + open URLs + this one), 507
 * `storage_quota_exceeded`. Nothing is created either way.
 */
export async function assertUploadFits(ctx: Ctx, robotId: string, episodeId: string, bytes: number): Promise<void> {
  const cap = ctx.config.episodeMaxBytes;
  if (bytes > cap) {
    throw new DomainError(
      "too_large",
      `An episode upload may be at most ${cap} bytes (${formatBytes(cap)}); this one declares ${bytes}. Split the recording into shorter episodes.`,
      { reason: "episode_too_large" },
    );
  }
  const usage = await measureRobotStorage(ctx, robotId, episodeId);
  const used = usage.stored_bytes + usage.reserved_bytes;
  if (used + bytes > usage.quota_bytes) {
    throw new DomainError(
      "insufficient_storage",
      `Robot ${robotId} keeps ${usage.stored_bytes} bytes of episodes and has ${usage.reserved_bytes} bytes of open upload URLs, of a ${usage.quota_bytes}-byte quota (${formatBytes(usage.quota_bytes)}); this upload may take ${bytes} more. Delete quarantined episodes, declare size_bytes, or raise the quota.`,
      { reason: "storage_quota_exceeded" },
    );
  }
}

/** A robot's episode storage for the console: whoever may see the robot (`getRobot`) may see it. */
export async function getRobotStorage(ctx: Ctx, robotId: string): Promise<RobotStorage> {
  await getRobot(ctx, { device_id: robotId });
  return measureRobotStorage(ctx, robotId);
}
