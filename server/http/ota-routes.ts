/**
 * The OTA robot API (PRODUCT.md §6.3). `app/api/ota/…/route.ts` export these handlers for Next;
 * `install-ota-routes.ts` also registers the two hot ones (every robot polls `check`) as direct
 * routes of the custom server, like the heartbeat (see `direct-routes.ts`). Handlers stay thin.
 */
import { z } from "zod";
import { checkForUpdate } from "@/lib/ota/check-for-update";
import { getFieldIndex } from "@/lib/ota/get-field-index";
import { openBundleDownload } from "@/lib/ota/open-bundle-download";
import { reportDeployment } from "@/lib/ota/report-deployment";
import { listOtaPublicKeys } from "@/lib/ota/signing-key";
import { objectResponse } from "./object-response";
import { anonymous, createRoute } from "./route";
import { withRobot } from "./with-robot";

// GET /api/ota/check?current_version=… — a signed robot asks which bundle to install now, if any
export const otaCheckRoute = createRoute(
  withRobot(),
  { query: z.record(z.string(), z.string()), quietSuccess: true },
  async ({ ctx, query }) => checkForUpdate(ctx, query),
);

// POST /api/ota/report — a signed robot reports downloaded | installed | failed | rolled_back for a bundle it was offered
export const otaReportRoute = createRoute(
  withRobot(),
  { body: z.unknown(), maxBodyBytes: 8 * 1024 },
  async ({ ctx, body }) => reportDeployment(ctx, body),
);

// GET /api/ota/{device_id}/registry.json — the field runtime's update index for that robot's cohort (no credentials)
export const otaFieldIndexRoute = createRoute(
  anonymous,
  {
    params: z.object({ device_id: z.string().max(64) }),
    query: z.object({ model_id: z.string().max(64).optional() }),
  },
  async ({ ctx, params, query }) => {
    const index = await getFieldIndex(ctx, { deviceId: params.device_id, modelId: query.model_id });
    // Exactly `application/json`: the field runtime ignores an index served as anything else.
    return new Response(JSON.stringify(index), {
      status: 200,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    });
  },
);

async function download({
  ctx,
  query,
  request,
}: {
  ctx: Parameters<typeof openBundleDownload>[0];
  query: Record<string, string>;
  request: Request;
}): Promise<Response> {
  const answer = await openBundleDownload(ctx, {
    bundleId: query.bundle_id ?? "",
    params: { device: query.device, expires: query.expires, sig: query.sig },
    request,
  });
  return objectResponse(answer);
}

// GET/HEAD /api/ota/download?bundle_id=…&device=…&expires=…&sig=… — a bundle through its signed, short-lived link (streamed; Range, conditional requests)
export const otaDownloadRoute = createRoute(anonymous, { query: z.record(z.string(), z.string()) }, download);

// GET /api/ota/public-key[?format=raw|base64] — the OTA signing key: raw 32 bytes, base64, or JSON with the JWK and kept older keys
export const otaPublicKeyRoute = createRoute(
  anonymous,
  { query: z.object({ format: z.enum(["json", "raw", "base64"]).optional() }) },
  async ({ ctx, query }) => {
    const keys = listOtaPublicKeys(ctx.secrets);
    const current = keys[0]!;
    if (query.format === "raw") {
      return new Response(Buffer.from(current.public_key, "base64"), {
        headers: { "content-type": "application/octet-stream", "x-key-id": current.key_id },
      });
    }
    if (query.format === "base64") {
      return new Response(`${current.public_key}\n`, {
        headers: { "content-type": "text/plain; charset=utf-8", "x-key-id": current.key_id },
      });
    }
    return { key_id: current.key_id, public_key: current.public_key, jwk: current.jwk, keys };
  },
);

// GET /.well-known/ota-keys.json — the OTA verification keys as a JWK Set (current first, then keys kept after rotations)
export const otaJwksRoute = createRoute(anonymous, {}, async ({ ctx }) => {
  const keys = listOtaPublicKeys(ctx.secrets);
  return new Response(
    JSON.stringify({
      keys: keys.map((key) => ({ ...key.jwk, "x-status": key.status, "x-raw-base64": key.public_key })),
    }),
    { headers: { "content-type": "application/json", "cache-control": "public, max-age=300" } },
  );
});
