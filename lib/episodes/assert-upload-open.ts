import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { isDeviceId } from "@/lib/robots/ruri";
import { isEpisodeId } from "./episode-keys";
import { ingestOf } from "./run-ingest";
import { Episodes } from "./schemas";

const RAW_UPLOAD_KEY = /^episodes\/raw\/([^/]+)\/([^/]+)\/(.+)$/;

function closed(message: string): DomainError {
  return new DomainError("conflict", message, { reason: "upload_closed" });
}

/**
 * Called before bytes sent to a signed upload URL are stored (the embedded default serves those
 * URLs itself): a key under `episodes/raw/` is writable only while its episode is waiting for that
 * upload. Once ingest has claimed it (or the episode was deleted, or a new upload replaced it), the
 * URL is dead: 409 `upload_closed`, nothing stored. Other keys are not episode uploads and pass.
 */
export async function assertUploadOpen(ctx: Ctx, key: string): Promise<void> {
  const match = RAW_UPLOAD_KEY.exec(key);
  if (match === null) return;
  const [, robotId = "", episodeId = "", rest = ""] = match;
  if (!isDeviceId(robotId) || !isEpisodeId(episodeId)) throw closed("This upload URL names no episode.");
  const doc = await ctx.db.get(Episodes, episodeId);
  const upload = doc?.data.upload;
  if (!doc || doc.data.robot_id !== robotId || !upload) {
    throw closed(`Episode ${episodeId} has no open upload; ask for a new upload URL.`);
  }
  const prefix = `episodes/raw/${robotId}/${episodeId}/`;
  const addressed =
    upload.format === "files"
      ? key.startsWith(upload.raw_key) && upload.files.some((file) => `${upload.raw_key}${file.path}` === key)
      : key === upload.raw_key;
  if (!addressed || !key.startsWith(prefix) || rest.startsWith("ingested/")) {
    throw closed(`This URL is not the upload of episode ${episodeId}; ask for a new upload URL.`);
  }
  if (ingestOf(doc.data).state !== "awaiting_upload") {
    throw closed(
      `Episode ${episodeId} was already claimed by ingest (${doc.data.status}); its upload URLs no longer take bytes. Upload other bytes under a new episode id, or ask for a new upload URL for a rejected episode.`,
    );
  }
}
