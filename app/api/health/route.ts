export const dynamic = "force-dynamic";

// GET /api/health — the process is alive (no dependency checks; see /api/ready)
export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
