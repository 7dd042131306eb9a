import type { Ctx } from "@/lib/context";
import { requireUser, hasRole } from "@/lib/users/authorize";
import { Episodes } from "./schemas";
import { listEpisodes } from "./list-episodes";
import type { EpisodeSummary } from "./views";

export interface UploadActivity {
  /** The window the counts cover (the last 24 hours). */
  since: string;
  counts: { validated: number; rejected: number; pending: number };
  /** True when the counts come from the recent uploads only (owners: at most 200). */
  approximate: boolean;
  recent: EpisodeSummary[];
}

/**
 * The overview's upload panel: episodes validated, rejected (quarantined) and still pending in the
 * last 24 hours, and the latest uploads. Operators count the fleet with indexed count queries;
 * owners count their robots' latest 200 uploads.
 */
export async function getUploadActivity(ctx: Ctx): Promise<UploadActivity> {
  const user = requireUser(ctx);
  const since = new Date(ctx.now().getTime() - 24 * 3600_000).toISOString();
  const recentPage = await listEpisodes(ctx, { limit: hasRole(user.role, "operator") ? 6 : 200 });
  const recent = recentPage.episodes;
  if (hasRole(user.role, "operator")) {
    const count = (status: "validated" | "rejected" | "raw") =>
      ctx.db.count(Episodes, {
        where: [
          { field: "status", op: "==", value: status },
          { field: "created_at", op: ">=", value: since },
        ],
      });
    const [validated, rejected, pending] = await Promise.all([count("validated"), count("rejected"), count("raw")]);
    return { since, counts: { validated, rejected, pending }, approximate: false, recent };
  }
  const window = recent.filter((episode) => episode.created_at >= since);
  return {
    since,
    counts: {
      validated: window.filter(
        (episode) => episode.status === "validated" || episode.status === "training" || episode.status === "trained",
      ).length,
      rejected: window.filter((episode) => episode.status === "rejected").length,
      pending: window.filter((episode) => episode.status === "raw").length,
    },
    approximate: recentPage.next_cursor !== null,
    recent: recent.slice(0, 6),
  };
}
