import { Readable } from "node:stream";
import parseRange from "range-parser";
import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { resolveReplayFrame } from "@/lib/replay";
import { withUser } from "@/server/auth/with-user";
import { errorResponseParts } from "@/server/http/errors";
import { createRoute } from "@/server/http/route";

const params = z.object({ episodeId: z.string().min(1).max(200) });
/** Frames of a validated episode never change; signed cloud URLs live a little longer than the redirect is cached. */
const FRAME_MAX_AGE_S = 86_400;
const SIGNED_URL_TTL_S = 3600;

// GET /api/console/episodes/{episode_id}/replay/frames?stream=&id=|step= — one camera frame (ETag, Range; a signed URL redirect in the cloud)
export const GET = createRoute(
  withUser("owner"),
  { params },
  async ({ ctx, runtime, request, params: { episodeId } }) => {
    const frame = await resolveReplayFrame(ctx, episodeId, Object.fromEntries(new URL(request.url).searchParams));
    const common = {
      "x-frame-id": frame.frameId,
      ...(frame.step === null ? {} : { "x-frame-step": String(frame.step) }),
      vary: "cookie",
    };
    if (runtime.serveSignedBlob === null) {
      // Cloud: the bytes come straight from the bucket through a short-lived signed URL.
      const signed = await ctx.blobs.signUrl({
        key: frame.key,
        method: "GET",
        expiresInS: SIGNED_URL_TTL_S,
        contentType: frame.info.contentType,
      });
      return new Response(null, {
        status: 302,
        headers: { ...common, location: signed.url, "cache-control": `private, max-age=${SIGNED_URL_TTL_S - 300}` },
      });
    }
    const { info } = frame;
    const headers = new Headers({
      ...common,
      "content-type": info.contentType,
      etag: `"${info.etag}"`,
      "accept-ranges": "bytes",
      "cache-control": `private, max-age=${FRAME_MAX_AGE_S}`,
    });
    if (request.headers.get("if-none-match") === `"${info.etag}"`) return new Response(null, { status: 304, headers });
    const rangeHeader = request.headers.get("range");
    let range: { start: number; end: number } | undefined;
    if (rangeHeader) {
      const parsed = parseRange(info.size, rangeHeader, { combine: true });
      if (parsed === -1) {
        headers.set("content-range", `bytes */${info.size}`);
        headers.set("content-type", "application/json");
        const { body } = errorResponseParts(
          new DomainError("invalid", `Range ${rangeHeader} is outside the ${info.size}-byte frame.`, {
            reason: "range_not_satisfiable",
          }),
        );
        return Response.json(body, { status: 416, headers });
      }
      if (parsed !== -2 && parsed.type === "bytes" && parsed.length === 1 && parsed[0]) {
        range = { start: parsed[0].start, end: parsed[0].end };
        headers.set("content-range", `bytes ${range.start}-${range.end}/${info.size}`);
      }
    }
    headers.set("content-length", String(range ? range.end - range.start + 1 : info.size));
    const read = await ctx.blobs.get(frame.key, range ? { range } : {});
    return new Response(Readable.toWeb(read.stream) as ReadableStream, { status: range ? 206 : 200, headers });
  },
);
