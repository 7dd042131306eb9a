import type { Runtime } from "@/server/runtime";
import { registerDirectRoute } from "./direct-routes";
import { otaCheckRoute, otaDownloadRoute, otaReportRoute } from "./ota-routes";

/** Serve the hot OTA robot routes from the custom server directly (one line in `server/modules.ts`). */
export function installOtaRoutes(runtime: Runtime): void {
  registerDirectRoute(runtime, "GET", "/api/ota/check", otaCheckRoute);
  registerDirectRoute(runtime, "POST", "/api/ota/report", otaReportRoute);
  // Served directly also so the file's Content-Length reaches the robot (Next streams without it).
  registerDirectRoute(runtime, "GET", "/api/ota/download", otaDownloadRoute);
  registerDirectRoute(runtime, "HEAD", "/api/ota/download", otaDownloadRoute);
}
