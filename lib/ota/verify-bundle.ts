import { createHash } from "node:crypto";
import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { requireUser } from "@/lib/users/authorize";
import { DomainError } from "@/lib/errors";
import { verifyEd25519Stream } from "./ed25519-stream";
import { OtaBundles, type OtaBundle } from "./schemas";
import { otaPublicKeyById } from "./signing-key";

export interface BundleVerification {
  bundle_id: string;
  ok: boolean;
  checksum_ok: boolean;
  signature_ok: boolean;
  size_ok: boolean;
  key_id: string;
  key_known: boolean;
  /** What was found (sha256:<hex>), to compare with the record. */
  checksum: string;
  size_bytes: number;
  checked_at: string;
}

/**
 * Re-read a stored bundle file and check it against its record: size, SHA-256 and the Ed25519
 * signature with the key its `key_id` names (the current key or one kept after a rotation). One
 * streamed pass; memory does not grow with the bundle.
 */
export async function checkStoredBundle(ctx: Ctx, bundle: Doc<OtaBundle>): Promise<BundleVerification> {
  const publicKey = otaPublicKeyById(ctx.secrets, bundle.data.key_id);
  const hash = createHash("sha256");
  let size = 0;
  const signature = Buffer.from(bundle.data.signature, "base64");
  let consumed = false;
  async function* bytes() {
    consumed = true;
    const read = await ctx.blobs.get(bundle.data.storage_ref);
    for await (const chunk of read.stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  }
  const signatureOk = publicKey !== null && (await verifyEd25519Stream(publicKey, signature, bytes));
  // The signature check may stop before reading (unknown key, malformed signature): still hash the
  // file, so the answer says whether the bytes are intact.
  if (!consumed) for await (const _chunk of bytes()) void _chunk;
  const checksum = `sha256:${hash.digest("hex")}`;
  const checksumOk = checksum === bundle.data.manifest.checksum;
  const sizeOk = size === bundle.data.manifest.size_bytes;
  return {
    bundle_id: bundle.id,
    ok: checksumOk && sizeOk && signatureOk,
    checksum_ok: checksumOk,
    signature_ok: signatureOk,
    size_ok: sizeOk,
    key_id: bundle.data.key_id,
    key_known: publicKey !== null,
    checksum,
    size_bytes: size,
    checked_at: ctx.now().toISOString(),
  };
}

/** Refuse (conflict / bundle_verification_failed) unless the stored bundle verifies. */
export async function assertStoredBundleVerifies(ctx: Ctx, bundle: Doc<OtaBundle>): Promise<void> {
  const result = await checkStoredBundle(ctx, bundle);
  if (!result.ok) {
    const parts = [
      !result.key_known && `its key ${result.key_id} is no longer published`,
      !result.size_ok && `its size is ${result.size_bytes} bytes, not ${bundle.data.manifest.size_bytes}`,
      !result.checksum_ok && `its checksum is ${result.checksum}, not ${bundle.data.manifest.checksum}`,
      result.key_known && !result.signature_ok && "its signature does not verify",
    ].filter(Boolean);
    throw new DomainError("conflict", `Bundle ${bundle.id} failed verification: ${parts.join("; ")}.`, {
      reason: "bundle_verification_failed",
      details: result,
    });
  }
}

/** Console: verify a stored bundle now (operators). */
export async function verifyBundle(ctx: Ctx, bundleId: string): Promise<BundleVerification> {
  requireUser(ctx, "operator");
  const bundle = await ctx.db.get(OtaBundles, bundleId);
  if (!bundle)
    throw new DomainError("not_found", `Bundle ${bundleId.slice(0, 120)} was not found.`, {
      reason: "bundle_not_found",
    });
  if (bundle.data.build.status !== "ready") {
    throw new DomainError("conflict", `Bundle ${bundle.id} is not built yet (build ${bundle.data.build.status}).`, {
      reason: "bundle_not_built",
    });
  }
  return checkStoredBundle(ctx, bundle);
}
