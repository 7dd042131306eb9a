// GET /api/rcan/lookup?ruri=… — a robot or a signed-in user finds a robot by RURI, device id or legacy alias
export { lookupRoute as GET } from "@/server/http/robot-routes";
