import { createHmac, timingSafeEqual } from "node:crypto";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";

/** How long a bundle download link works. Robots download right after the check; a resumed download asks again. */
export const DOWNLOAD_URL_TTL_S = 3600;

function mac(secret: string, bundleId: string, deviceId: string, expires: number): string {
  return createHmac("sha256", secret)
    .update(`ota-download:v1\n${bundleId}\n${deviceId}\n${expires}`)
    .digest("base64url");
}

/**
 * A short-lived link to one bundle for one robot: `/api/ota/download?bundle_id=…&device=…&expires=…&sig=…`.
 * It is served by the platform (not a storage link), so the platform sees every fetch and can count
 * a robot that never reports as `downloaded` once it has received the last byte. The HMAC binds the
 * bundle, the robot and the expiry; the URL is the credential, as the field runtime sends none.
 */
export function createDownloadUrl(ctx: Ctx, bundleId: string, deviceId: string): { url: string; expiresAt: string } {
  const expires = Math.floor(ctx.now().getTime() / 1000) + DOWNLOAD_URL_TTL_S;
  const query = new URLSearchParams({
    bundle_id: bundleId,
    device: deviceId,
    expires: String(expires),
    sig: mac(ctx.secrets.tokenSecret, bundleId, deviceId, expires),
  });
  return {
    url: `${ctx.config.publicUrl}/api/ota/download?${query.toString()}`,
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}

/** Check a download link's parameters; throws `forbidden` (bad or expired link) naming which. */
export function verifyDownloadUrl(
  ctx: Ctx,
  bundleId: string,
  params: { device?: string; expires?: string; sig?: string },
): { deviceId: string } {
  const { device, expires, sig } = params;
  if (!device || !expires || !sig || !/^\d{1,12}$/.test(expires)) {
    throw new DomainError("forbidden", "This download link is incomplete; ask /api/ota/check for a new one.", {
      reason: "download_link_invalid",
    });
  }
  const expected = Buffer.from(mac(ctx.secrets.tokenSecret, bundleId, device, Number(expires)));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new DomainError("forbidden", "This download link is not valid for this bundle and robot.", {
      reason: "download_link_invalid",
    });
  }
  if (Number(expires) * 1000 < ctx.now().getTime()) {
    throw new DomainError("forbidden", "This download link has expired; ask /api/ota/check for a new one.", {
      reason: "download_link_expired",
    });
  }
  return { deviceId: device };
}
