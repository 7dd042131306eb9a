import type { Ctx } from "@/lib/context";
import { isDomainError } from "@/lib/errors";
import type { Doc } from "@/lib/storage/typed";
import type { WorkItem } from "@/lib/work-queue/schemas";
import { finishPromotion, ingestOf, runIngest } from "./run-ingest";
import { Episodes } from "./schemas";

/**
 * Work handler of the automatic ingest (`AUTO_INGEST_QUEUE`): the direct PUTs of an upload have
 * settled, so ingest what is there, as the robot would have asked. Nothing to do when the upload
 * was ingested meanwhile (the robot may also call ingest itself) or deleted.
 */
export async function runAutoIngest(ctx: Ctx, item: Doc<WorkItem>): Promise<void> {
  const episodeId = String(item.data.payload.episode_id ?? "");
  const doc = await ctx.db.get(Episodes, episodeId);
  if (!doc || ingestOf(doc.data).state !== "awaiting_upload" || !doc.data.upload?.auto_ingest) return;
  try {
    await runIngest(ctx, { episodeId, requestedChecksum: null, mode: "auto" });
  } catch (error) {
    if (isDomainError(error) && error.reason === "upload_missing") return;
    throw error;
  }
}

/**
 * Background backstop for ingests left in the middle (the robot that asked never came back):
 * finish promotions that nobody is finishing, and redo processing attempts whose lease lapsed.
 * Looks at a few episodes per pass; returns how many it finished (failures wait for the next pass).
 */
export async function resumeStalledIngests(ctx: Ctx): Promise<number> {
  const now = ctx.now();
  const quiet = new Date(now.getTime() - 2 * ctx.config.ingestLeaseS * 1000).toISOString();
  let handled = 0;
  const promoting = await ctx.db.query(Episodes, {
    where: [
      { field: "ingest.state", op: "==", value: "promoting" },
      { field: "ingest.updated_at", op: "<=", value: quiet },
    ],
    orderBy: { field: "ingest.updated_at", direction: "asc" },
    limit: 10,
  });
  for (const doc of promoting.docs) {
    try {
      await finishPromotion(ctx, doc.id);
      handled += 1;
    } catch (error) {
      ctx.log.warn({ err: error, episode_id: doc.id }, "resuming a promotion failed");
    }
  }
  const lapsed = await ctx.db.query(Episodes, {
    where: [
      { field: "ingest.state", op: "==", value: "processing" },
      { field: "ingest.lease_expires_at", op: "<=", value: quiet },
    ],
    orderBy: { field: "ingest.lease_expires_at", direction: "asc" },
    limit: 5,
  });
  for (const doc of lapsed.docs) {
    const ingest = ingestOf(doc.data);
    try {
      await runIngest(ctx, { episodeId: doc.id, requestedChecksum: ingest.requested_checksum, mode: "resume" });
      handled += 1;
    } catch (error) {
      ctx.log.warn({ err: error, episode_id: doc.id }, "resuming an ingest failed");
    }
  }
  return handled;
}
