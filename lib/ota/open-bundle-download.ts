import { Transform, type Readable } from "node:stream";
import parseRange from "range-parser";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { afterDeploymentChange } from "./after-deployment-change";
import { verifyDownloadUrl } from "./download-url";
import { recordDeploymentEvent } from "./record-deployment-event";
import { OtaBundles } from "./schemas";

export interface BundleDownload {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  /** The bytes (null for HEAD and 416). */
  body: Readable | null;
}

/**
 * Serve a bundle through its signed download link: `200` with the whole file, or `206` for one
 * `Range` (resumed downloads), streamed from the blob store. When the response carries the file's
 * last byte, the robot's deployment is counted `downloaded` — written before that byte leaves, so
 * a client holding the whole file can rely on the record — which is how robots that never report
 * (the field runtime) still show up in the rollout. Paused and rolled-back bundles are refused
 * (409), so a link handed out just before a pause cannot spread the bundle further.
 */
export async function openBundleDownload(
  ctx: Ctx,
  input: {
    bundleId: string;
    params: { device?: string; expires?: string; sig?: string };
    method: "GET" | "HEAD";
    range: string | null;
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
  const headers: Record<string, string> = {
    "content-type": "application/gzip",
    "accept-ranges": "bytes",
    etag: `"${bundle.data.manifest.checksum.replace(/^sha256:/, "")}"`,
    "content-disposition": `attachment; filename="${bundle.data.robot_model}-${bundle.data.version}.bundle"`,
    "cache-control": "private, no-store",
    "x-checksum-sha256": bundle.data.manifest.checksum.replace(/^sha256:/, ""),
    "x-signature-ed25519": bundle.data.signature,
    "x-key-id": bundle.data.key_id,
  };
  let range: { start: number; end: number } | undefined;
  if (input.range) {
    const parsed = parseRange(size, input.range, { combine: true });
    if (parsed === -1) {
      return { status: 416, headers: { ...headers, "content-range": `bytes */${size}` }, body: null };
    }
    // One range is what resuming needs; a malformed or multi-range header gets the whole file.
    if (parsed !== -2 && parsed.type === "bytes" && parsed.length === 1 && parsed[0]) {
      range = { start: parsed[0].start, end: parsed[0].end };
      headers["content-range"] = `bytes ${range.start}-${range.end}/${size}`;
    }
  }
  headers["content-length"] = String(range ? range.end - range.start + 1 : size);
  const code = range ? 206 : 200;
  if (input.method === "HEAD") return { status: code, headers, body: null };
  const read = await ctx.blobs.get(bundle.data.storage_ref, range ? { range } : {});
  const lastByte = range ? range.end === size - 1 : true;
  if (!lastByte) return { status: code, headers, body: read.stream };
  let remaining = range ? range.end - range.start + 1 : size;
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
  read.stream.on("error", (error) => recordAtEnd.destroy(error));
  return { status: code, headers, body: read.stream.pipe(recordAtEnd) };
}
