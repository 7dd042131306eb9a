// GET /.well-known/ota-keys.json — the OTA verification keys as a JWK Set
export { otaJwksRoute as GET } from "@/server/http/ota-routes";

export const dynamic = "force-dynamic";
