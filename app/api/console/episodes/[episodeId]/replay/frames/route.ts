import { z } from "zod";
import { answerObjectRequest } from "@/lib/blobs/serve-object";
import { resolveReplayFrame } from "@/lib/replay";
import { withUser } from "@/server/auth/with-user";
import { objectResponse } from "@/server/http/object-response";
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
    const answer = await answerObjectRequest(
      ctx.blobs,
      { key: frame.key, size: info.size, etag: info.etag, lastModified: info.updatedAt },
      request,
      { ...common, "content-type": info.contentType, "cache-control": `private, max-age=${FRAME_MAX_AGE_S}` },
    );
    return objectResponse(answer);
  },
);
