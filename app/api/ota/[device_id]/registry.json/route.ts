// GET /api/ota/{device_id}/registry.json — the field runtime's update index for that robot's cohort (no credentials)
export { otaFieldIndexRoute as GET } from "@/server/http/ota-routes";

export const dynamic = "force-dynamic";
