import { DomainError } from "@/lib/errors";
import { errorResponse } from "@/server/http/errors";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  const runtime = await getRuntime();
  if (!runtime.serveSignedBlob) {
    return errorResponse(
      new DomainError("not_found", "Blobs are served by Cloud Storage on this deployment.", {
        reason: "local_blobs_disabled",
      }),
    );
  }
  return runtime.serveSignedBlob(request);
}

// GET/HEAD/PUT /api/blobs/{key}?… — HMAC-signed blob URLs of the embedded default (the URL is the credential)
export { handle as GET, handle as HEAD, handle as PUT };
