import type { Ctx } from "@/lib/context";
import { appendAudit } from "./append-audit";
import { listAudit, type AuditFilter } from "./list-audit";

/**
 * Every matching entry as JSON Lines, produced page by page so an export of a long log never sits
 * in memory. The export itself is audited.
 */
export async function* exportAudit(
  ctx: Ctx,
  filter: Omit<AuditFilter, "cursor" | "limit"> = {},
): AsyncGenerator<string> {
  let cursor: string | null = null;
  await appendAudit(ctx, { action: "audit.export", details: { filter } });
  do {
    const page = await listAudit(ctx, { ...filter, cursor, limit: 500 });
    for (const doc of page.docs) yield `${JSON.stringify({ id: doc.id, ...doc.data })}\n`;
    cursor = page.nextCursor;
  } while (cursor);
}
