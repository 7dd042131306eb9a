/**
 * Step replay of validated episodes (PRODUCT.md §8): the summary, windows of steps, downsampled
 * series and camera frames, all read through the replay index with byte ranges, under the
 * episodes' one access rule (`requireEpisodeAccess`).
 */
export { getReplaySummary } from "./get-replay-summary";
export { getReplaySteps } from "./get-replay-steps";
export { getReplaySeries } from "./get-replay-series";
export { resolveReplayFrame, type ReplayFrame } from "./resolve-replay-frame";
export { encodeFramePack, getReplayFramePack, type ReplayFramePack } from "./get-replay-frame-pack";
export { openReplay, type OpenedReplay } from "./open-replay";
export { fieldGroupOf } from "./field-groups";
export * from "./schemas";
