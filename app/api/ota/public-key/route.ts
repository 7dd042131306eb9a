// GET /api/ota/public-key[?format=raw|base64] — the OTA signing key robots verify bundles with
export { otaPublicKeyRoute as GET } from "@/server/http/ota-routes";

export const dynamic = "force-dynamic";
