import type { Ctx } from "@/lib/context";

/**
 * How long a temp file of the blob store may go without a write before it is taken for the
 * leftover of a killed write: twice the longest upload URL lifetime (one hour). A live upload or
 * ingest output writes to its file with every chunk, so it is never this idle.
 */
export const TEMP_FILE_MAX_IDLE_MS = 2 * 3600_000;

/**
 * Background sweep (`server/workers.ts`): remove the blob store's temp files no write touched for
 * `TEMP_FILE_MAX_IDLE_MS` — what a PUT or a server killed mid-write leaves behind. Aborted
 * requests clean up at once; this catches what a crash left. Returns how many files went.
 */
export async function sweepBlobTempFiles(ctx: Ctx): Promise<number> {
  if (!ctx.blobs.sweepTemporaryFiles) return 0;
  const removed = await ctx.blobs.sweepTemporaryFiles(new Date(ctx.now().getTime() - TEMP_FILE_MAX_IDLE_MS));
  if (removed > 0) ctx.log.info({ removed }, "removed abandoned blob temp files");
  return removed;
}
