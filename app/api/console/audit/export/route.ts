import { exportAudit } from "@/lib/audit/export-audit";
import { ZAuditFilter } from "@/lib/audit/list-audit";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

// GET /api/console/audit/export — the filtered audit log as JSON Lines, streamed
export const GET = createRoute(
  withUser("admin"),
  { query: ZAuditFilter.omit({ cursor: true, limit: true }) },
  async ({ ctx, query }) => {
    const lines = exportAudit(ctx, query);
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
    });
    const stamp = ctx.now().toISOString().slice(0, 19).replaceAll(":", "");
    return new Response(stream, {
      headers: {
        "content-type": "application/x-ndjson",
        "content-disposition": `attachment; filename="audit-${stamp}.jsonl"`,
      },
    });
  },
);
