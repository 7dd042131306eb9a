import { appendAudit } from "@/lib/audit/append-audit";
import type { Ctx } from "@/lib/context";
import { DomainError, isDomainError } from "@/lib/errors";
import { requireUser } from "@/lib/users/authorize";
import { requireEpisodeAccess } from "./require-episode-access";
import { runIngest } from "./run-ingest";
import { toIngestAnswer, type IngestAnswer } from "./views";

/**
 * Re-validate a quarantined (rejected) episode from its raw upload, e.g. after a validator
 * change: a new ingest attempt with the checksum the robot asked for, through the same state
 * machine (it may end validated and promoted, or rejected again with the new reasons). Operators
 * only; audited either way (`episode.revalidate`).
 */
export async function revalidateEpisode(ctx: Ctx, episodeId: string): Promise<IngestAnswer> {
  requireUser(ctx, "operator");
  const doc = await requireEpisodeAccess(ctx, episodeId, "manage");
  if (doc.data.status !== "rejected") {
    throw new DomainError(
      "conflict",
      `Episode ${episodeId} is ${doc.data.status}; only rejected (quarantined) episodes are re-validated.`,
      { reason: "episode_not_quarantined" },
    );
  }
  try {
    const done = await runIngest(ctx, { episodeId, requestedChecksum: null, mode: "revalidate" });
    return toIngestAnswer(episodeId, done.data);
  } catch (error) {
    await appendAudit(ctx, {
      action: "episode.revalidate",
      target: { type: "episode", id: episodeId },
      outcome: "failure",
      details: { reason: isDomainError(error) ? (error.reason ?? error.code) : "internal" },
    });
    throw error;
  }
}
