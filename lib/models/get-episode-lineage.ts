import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { Episodes } from "@/lib/episodes/schemas";
import { requireTrainingReader } from "@/lib/training/require-training-actor";
import { Models } from "./schemas";
import { toModelView, type ModelView } from "./views";

/** Lineage upwards from an episode: the models it fed (and the job it is in now). */
export async function getEpisodeLineage(
  ctx: Ctx,
  episodeId: string,
): Promise<{ episode_id: string; status: string; training_job_id: string | null; models: ModelView[] }> {
  requireTrainingReader(ctx);
  const episode = await ctx.db.get(Episodes, episodeId);
  if (!episode)
    throw new DomainError("not_found", `Episode ${episodeId} was not found.`, { reason: "episode_not_found" });
  const ids = episode.data.contributed_to_models.slice(0, 500);
  const models = (await ctx.db.getMany(Models, ids)).flatMap((doc) => (doc ? [toModelView(doc)] : []));
  return {
    episode_id: episodeId,
    status: episode.data.status,
    training_job_id: episode.data.training_job_id,
    models,
  };
}
