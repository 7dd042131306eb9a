import { listAudit, ZAuditFilter } from "@/lib/audit/list-audit";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/audit — admins read the audit log, newest first, filtered
export const GET = createRoute(withUser("admin"), { query: ZAuditFilter }, async ({ ctx, query }) => {
  const page = await listAudit(ctx, query);
  return { entries: page.docs.map((doc) => ({ id: doc.id, ...doc.data })), next_cursor: page.nextCursor };
});
