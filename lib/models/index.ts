/** The model registry: what training produced, promotion to production, lineage. */
export { getEpisodeLineage } from "./get-episode-lineage";
export { getModelDownloads } from "./get-model-downloads";
export { getModelLineage, type LineageEpisode, type ModelLineage } from "./get-model-lineage";
export { listModels } from "./list-models";
export { promoteModel } from "./promote-model";
export { registerModel } from "./register-model";
export * from "./schemas";
export type { ModelView } from "./views";
