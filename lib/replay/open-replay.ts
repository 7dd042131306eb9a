import type { Ctx } from "@/lib/context";
import { DomainError, isDomainError } from "@/lib/errors";
import { requireEpisodeAccess } from "@/lib/episodes/require-episode-access";
import type { Episode } from "@/lib/episodes/schemas";
import {
  createBlobStoreReader,
  readReplayManifest,
  type EpisodeFileReader,
} from "@/lib/rlds/replay-index/read-replay-index";
import type { ReplayManifest } from "@/lib/rlds/replay-index/format";
import type { Doc } from "@/lib/storage/typed";
import { replayCache } from "./replay-cache";

/** An episode the caller may read, with its replay index opened. */
export interface OpenedReplay {
  episodeId: string;
  doc: Doc<Episode>;
  /** `episodes/validated/{robot_id}/{episode_id}/`. */
  prefix: string;
  reader: EpisodeFileReader;
  manifest: ReplayManifest;
  /** Changes whenever the episode's files could have changed (cache keys, ETags). */
  version: string;
}

const REPLAYABLE = new Set<Episode["status"]>(["validated", "training", "trained"]);

function unavailable(episodeId: string, episode: Episode): DomainError {
  const why =
    episode.status === "rejected"
      ? "was rejected at ingest (see its validation report); only validated episodes can be replayed"
      : "is still being uploaded or ingested; its replay appears once it is validated";
  return new DomainError("not_found", `Episode ${episodeId} ${why}.`, { reason: "replay_unavailable" });
}

/**
 * Load an episode for replay: the one access rule of episodes (`requireEpisodeAccess`, read), a
 * validated status, and its replay index manifest (cached per process, keyed by the episode's
 * checksum, since a validated episode's files never change under the same checksum).
 *
 * @throws `not_found` / `episode_not_found` (missing or not visible to the caller),
 *   `replay_unavailable` (not validated), `replay_index_missing` (stored without an index).
 */
export async function openReplay(ctx: Ctx, episodeId: string): Promise<OpenedReplay> {
  const doc = await requireEpisodeAccess(ctx, episodeId, "read");
  const episode = doc.data;
  if (!REPLAYABLE.has(episode.status) || episode.storage_ref === null) throw unavailable(episodeId, episode);
  const prefix = episode.storage_ref.endsWith("/") ? episode.storage_ref : `${episode.storage_ref}/`;
  const version = `${prefix}|${episode.checksum ?? episode.verdict_at ?? episode.uploaded_at ?? ""}`;
  const reader = createBlobStoreReader(ctx.blobs, prefix);
  const manifests = replayCache<ReplayManifest>(ctx.services, "manifests", 256);
  let manifest = manifests.get(version);
  if (manifest === undefined) {
    try {
      manifest = await readReplayManifest(reader);
    } catch (error) {
      if (isDomainError(error) && error.code === "not_found") {
        throw new DomainError(
          "not_found",
          `Episode ${episodeId} has no replay index (it was stored before indexes were built); re-validate it to build one.`,
          { reason: "replay_index_missing" },
        );
      }
      throw error;
    }
    manifests.set(version, manifest);
  }
  return { episodeId, doc, prefix, reader, manifest, version };
}

/** The value at a dotted path (`observation.video_frame_id`) of a parsed step. */
export function valueAt(step: unknown, path: string): unknown {
  let current: unknown = step;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const FRAME_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

/** A frame id a step may name and a blob key may contain (robots write ids; never trust them as paths). */
export function isSafeFrameId(value: unknown): value is string {
  return typeof value === "string" && FRAME_ID.test(value) && !value.includes("..");
}
