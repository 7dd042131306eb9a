// GET/HEAD /api/ota/download?bundle_id=…&device=…&expires=…&sig=… — a bundle through its signed, short-lived link
export { otaDownloadRoute as GET, otaDownloadRoute as HEAD } from "@/server/http/ota-routes";

export const dynamic = "force-dynamic";
