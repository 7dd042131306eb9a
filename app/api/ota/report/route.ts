// POST /api/ota/report — a signed robot reports downloaded | installed | failed | rolled_back for a bundle it was offered
export { otaReportRoute as POST } from "@/server/http/ota-routes";
