import type { Ctx } from "@/lib/context";
import { Models } from "@/lib/models/schemas";
import { OtaBundles } from "@/lib/ota/schemas";
import { Robots } from "@/lib/robots/schemas";
import { hasRole } from "@/lib/users/authorize";
import { getWorkItem } from "@/lib/work-queue/work-queue";
import { episodeRef, stagingRoot, tfrecordKey, validatedPrefix } from "./episode-keys";
import { requireEpisodeAccess } from "./require-episode-access";
import { ingestOf, tfrecordWorkId, uploadSourceKey } from "./run-ingest";
import type { Episode } from "./schemas";

const DOWNLOAD_TTL_S = 15 * 60;

export interface EpisodeFileView {
  path: string;
  size_bytes: number;
  content_type: string;
  download_url: string | null;
}

export interface EpisodeDetail {
  episode_id: string;
  episode: Episode;
  episode_ref: string;
  robot: { device_id: string; name: string; model: string } | null;
  provenance: {
    bundle_id: string | null;
    bundle_known: boolean;
    training_job_id: string | null;
    models: { id: string; name: string; version: string; stage: string }[];
  };
  files: EpisodeFileView[];
  raw: { key: string; size_bytes: number | null; download_url: string | null } | null;
  tfrecord: {
    state: string | null;
    key: string | null;
    records: number | null;
    bytes: number | null;
    error: string | null;
    download_url: string | null;
    work: {
      status: string;
      attempts: number;
      max_attempts: number;
      run_after: string;
      last_error: string | null;
    } | null;
  };
  ingest: ReturnType<typeof ingestOf>;
  /** Objects under each of the episode's prefixes (counted up to 1000 each): what is really stored. */
  storage: {
    raw_objects: number;
    staging_objects: number;
    validated_objects: number;
    tfrecord: boolean;
    truncated: boolean;
  };
  replay_url: string;
  can_manage: boolean;
}

/**
 * One episode as the console shows it: the document (metadata, stats, validation report, TFRecord
 * and ingest state), its provenance (robot, the OTA bundle the robot ran, the models trained on
 * it), its canonical files with short-lived download links, and where its replay is. Access by
 * {@link requireEpisodeAccess}.
 */
export async function getEpisode(ctx: Ctx, episodeId: string): Promise<EpisodeDetail> {
  const doc = await requireEpisodeAccess(ctx, episodeId, "read");
  const episode = doc.data;
  const [robot, models, bundle] = await Promise.all([
    ctx.db.get(Robots, episode.robot_id),
    episode.contributed_to_models.length > 0
      ? ctx.db.getMany(Models, episode.contributed_to_models.slice(0, 100))
      : Promise.resolve([]),
    episode.produced_by_bundle ? ctx.db.get(OtaBundles, episode.produced_by_bundle) : Promise.resolve(null),
  ]);
  const sign = async (key: string, contentType?: string) => {
    try {
      const signed = await ctx.blobs.signUrl({
        key,
        method: "GET",
        expiresInS: DOWNLOAD_TTL_S,
        ...(contentType ? { contentType } : {}),
        downloadName: `${episodeId}-${key.slice(key.lastIndexOf("/") + 1)}`,
      });
      return signed.url;
    } catch {
      return null;
    }
  };
  const prefix = episode.storage_ref ?? validatedPrefix(episode.robot_id, episodeId);
  const validated = episode.storage_ref !== null;
  const files: EpisodeFileView[] = [];
  for (const file of episode.files ?? []) {
    files.push({
      ...file,
      download_url: validated ? await sign(`${prefix}${file.path}`, file.content_type) : null,
    });
  }
  let raw: EpisodeDetail["raw"] = null;
  if (episode.upload && episode.upload.format !== "files") {
    const key = uploadSourceKey(episode.upload);
    const head = await ctx.blobs.head(key);
    raw = {
      key,
      size_bytes: head?.size ?? null,
      download_url: head ? await sign(key, episode.upload.content_type) : null,
    };
  }
  const work = await getWorkItem(ctx, tfrecordWorkId(episodeId));
  const count = async (prefix: string) => (await ctx.blobs.list(prefix, { limit: 1000 })).items.length;
  const [rawObjects, stagingObjects, validatedObjects, tfrecordHead] = await Promise.all([
    count(`${episodeRef(episode.robot_id, episodeId)}/`),
    count(stagingRoot(episode.robot_id, episodeId)),
    count(validatedPrefix(episode.robot_id, episodeId)),
    ctx.blobs.head(tfrecordKey(episode.robot_id, episodeId)),
  ]);
  return {
    episode_id: episodeId,
    episode,
    episode_ref: episode.raw_ref ?? episodeRef(episode.robot_id, episodeId),
    robot: robot ? { device_id: robot.id, name: robot.data.name, model: robot.data.model } : null,
    provenance: {
      bundle_id: episode.produced_by_bundle,
      bundle_known: bundle !== null,
      training_job_id: episode.training_job_id,
      models: models.flatMap((model) =>
        model ? [{ id: model.id, name: model.data.name, version: model.data.version, stage: model.data.stage }] : [],
      ),
    },
    files,
    raw,
    tfrecord: {
      state: episode.tfrecord?.state ?? (episode.tfrecord_ref ? "done" : null),
      key: episode.tfrecord_ref,
      records: episode.tfrecord?.records ?? null,
      bytes: episode.tfrecord?.bytes ?? null,
      error: episode.tfrecord?.error ?? null,
      download_url: episode.tfrecord_ref ? await sign(episode.tfrecord_ref, "application/octet-stream") : null,
      work: work
        ? {
            status: work.data.status,
            attempts: work.data.attempts,
            max_attempts: work.data.max_attempts,
            run_after: work.data.run_after,
            last_error: work.data.last_error,
          }
        : null,
    },
    ingest: ingestOf(episode),
    storage: {
      raw_objects: rawObjects,
      staging_objects: stagingObjects,
      validated_objects: validatedObjects,
      tfrecord: tfrecordHead !== null,
      truncated: [rawObjects, stagingObjects, validatedObjects].some((n) => n >= 1000),
    },
    replay_url: `/console/episodes/${episodeId}/replay`,
    can_manage: ctx.actor.kind === "system" || (ctx.actor.kind === "user" && hasRole(ctx.actor.role, "operator")),
  };
}
