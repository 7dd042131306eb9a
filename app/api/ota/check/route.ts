// GET /api/ota/check?current_version=… — a signed robot asks which bundle to install now, if any
export { otaCheckRoute as GET } from "@/server/http/ota-routes";
