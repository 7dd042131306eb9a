import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { z } from "zod";
import { parseContentDigest } from "@/lib/crypto/content-digest";
import { uploadXrEpisode, XR_TAG_HEADER_PREFIX } from "@/lib/episodes/upload-xr-episode";
import { DomainError } from "@/lib/errors";
import { createRoute } from "@/server/http/route";
import { withRobot } from "@/server/http/with-robot";

export const dynamic = "force-dynamic";

// POST /api/rlds/upload — the XR app's upload: a ZIP of the episode directory with X-Continuon-Tag-* headers, ingested at once
export const POST = createRoute(
  withRobot(),
  { bodyMode: "stream", query: z.looseObject({ episode_id: z.string().max(200).optional() }) },
  async ({ ctx, request, query, bodyStream }) => {
    if (!bodyStream) throw new DomainError("invalid", "The upload has no body.", { reason: "body_missing" });
    const tags: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      if (name.toLowerCase().startsWith(XR_TAG_HEADER_PREFIX))
        tags[name.slice(XR_TAG_HEADER_PREFIX.length).toLowerCase()] = value;
    });
    const digest = Buffer.from(parseContentDigest(request.headers.get("content-digest"))).toString("hex");
    return uploadXrEpisode(ctx, {
      episodeId: request.headers.get("x-continuon-episode-id") ?? query.episode_id ?? null,
      sha256: digest,
      tags,
      body: Readable.fromWeb(bodyStream as NodeReadableStream<Uint8Array>),
    });
  },
);
