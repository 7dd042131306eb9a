// POST /api/rcan/heartbeat — a signed robot reports it is alive; answers when to come back and what is pending
export { heartbeatRoute as POST } from "@/server/http/robot-routes";
