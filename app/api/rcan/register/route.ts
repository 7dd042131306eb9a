// POST /api/rcan/register — a robot registers its Ed25519 key with a provisioning token (signed by that key)
export { registerRoute as POST } from "@/server/http/robot-routes";
