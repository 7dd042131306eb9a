import { Transform } from "node:stream";
import { answerObjectRequest, type ObjectAnswer, type ObjectRequest } from "@/lib/blobs/serve-object";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { afterDeploymentChange } from "./after-deployment-change";
import { verifyDownloadUrl } from "./download-url";
import { recordDeploymentEvent } from "./record-deployment-event";
import { OtaBundles } from "./schemas";

/** A bundle download: the answer of {@link answerObjectRequest} (status, headers, streamed bytes). */
export type BundleDownload = ObjectAnswer;

/**
 * Serve a bundle through its signed download link, with constant memory whatever its size: `200`
 * with the whole file, `206` for one `Range` (resumed downloads, `If-Range` honoured), `304` for a
 * matching `If-None-Match` / `If-Modified-Since`, HEAD with the length a GET would send — the bytes
 * streamed from the blob store as the robot takes them. The ETag is the bundle's SHA-256. When the
 * response carries the file's last byte, the robot's deployment is counted `downloaded` — written
 * before that byte leaves, so a client holding the whole file can rely on the record — which is how
 * robots that never report (the field runtime) still show up in the rollout. Paused and
 * rolled-back bundles are refused (409), so a link handed out just before a pause cannot spread
 * the bundle further.
 */
export async function openBundleDownload(
  ctx: Ctx,
  input: {
    bundleId: string;
    params: { device?: string; expires?: string; sig?: string };
    request: ObjectRequest;
  },
): Promise<BundleDownload> {
  const { deviceId } = verifyDownloadUrl(ctx, input.bundleId, input.params);
  const bundle = await ctx.db.get(OtaBundles, input.bundleId);
  if (!bundle || bundle.data.build.status !== "ready") {
    throw new DomainError("not_found", `Bundle ${input.bundleId.slice(0, 120)} is not available.`, {
      reason: "bundle_not_found",
    });
  }
  const status = bundle.data.rollout.status;
  if (status === "paused" || status === "rolled_back") {
    throw new DomainError(
      "conflict",
      `Bundle ${bundle.id} is ${status === "paused" ? "paused" : "rolled back"}; ask /api/ota/check what to install instead.`,
      { reason: status === "paused" ? "rollout_paused" : "rollout_rolled_back" },
    );
  }
  const size = bundle.data.manifest.size_bytes;
  const sha256 = bundle.data.manifest.checksum.replace(/^sha256:/, "");
  const answer = await answerObjectRequest(
    ctx.blobs,
    {
      key: bundle.data.storage_ref,
      size,
      etag: sha256,
      lastModified: bundle.data.build.finished_at ?? bundle.data.created_at,
    },
    input.request,
    {
      "content-type": "application/gzip",
      "content-disposition": `attachment; filename="${bundle.data.robot_model}-${bundle.data.version}.bundle"`,
      "cache-control": "private, no-store",
      "x-checksum-sha256": sha256,
      "x-signature-ed25519": bundle.data.signature,
      "x-key-id": bundle.data.key_id,
    },
  );
  const source = answer.body;
  if (!source) return answer;
  const served = answer.range ?? { start: 0, end: size - 1 };
  if (served.end !== size - 1) return answer;
  let remaining = served.end - served.start + 1;
  const recordAtEnd = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      remaining -= chunk.length;
      if (remaining > 0) return callback(null, chunk);
      recordDeploymentEvent(ctx, bundle.id, deviceId, { kind: "downloaded", via: "fetch" })
        .then(async (result) => {
          if (result?.changed) await afterDeploymentChange(ctx, bundle.id, result.outcomeChanged);
        })
        .catch((error) => ctx.log.warn({ err: error, bundle_id: bundle.id, device_id: deviceId }, "fetch not recorded"))
        .finally(() => callback(null, chunk));
    },
  });
  source.on("error", (error) => recordAtEnd.destroy(error));
  // A client that goes away destroys the answer: the file is closed too.
  recordAtEnd.on("close", () => source.destroy());
  return { ...answer, body: source.pipe(recordAtEnd) };
}
