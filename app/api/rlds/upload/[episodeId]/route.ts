import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { z } from "zod";
import { putEpisodeUpload } from "@/lib/episodes/put-episode-upload";
import { DomainError } from "@/lib/errors";
import { createRoute } from "@/server/http/route";
import { withRobot } from "@/server/http/with-robot";

export const dynamic = "force-dynamic";

// PUT /api/rlds/upload/{episode_id} — robot-signed upload of a whole JSON episode (Flutter flow); may be repeated until ingest
export const PUT = createRoute(
  withRobot(),
  { bodyMode: "stream", params: z.object({ episodeId: z.string().min(1).max(200) }) },
  async ({ ctx, request, params, bodyStream }) => {
    if (!bodyStream) throw new DomainError("invalid", "The upload has no body.", { reason: "body_missing" });
    return putEpisodeUpload(ctx, {
      episodeId: params.episodeId,
      contentType: request.headers.get("content-type"),
      body: Readable.fromWeb(bodyStream as NodeReadableStream<Uint8Array>),
    });
  },
);
