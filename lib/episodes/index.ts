/**
 * Episodes (PRODUCT.md §6.2, §7, §8): upload URLs, ingest with its state machine
 * (`ingest-state.ts`), quarantine, TFRecord conversion, lists and the one access rule.
 */
export { requireEpisodeAccess, type EpisodeAccess } from "./require-episode-access";
export {
  requestEpisodeUpload,
  openEpisodeUpload,
  UPLOAD_URL_TTL_S,
  MAX_UPLOAD_BYTES,
  type EpisodeUploadGrant,
} from "./request-episode-upload";
export { ingestEpisode, ZIngestEpisodeInput } from "./ingest-episode";
export { putEpisodeUpload, AUTO_INGEST_QUEUE, autoIngestWorkId } from "./put-episode-upload";
export { uploadXrEpisode, XR_TAG_HEADER_PREFIX } from "./upload-xr-episode";
export { runAutoIngest, resumeStalledIngests } from "./ingest-queue";
export { convertEpisodeTfrecord } from "./convert-episode-tfrecord";
export { revalidateEpisode } from "./revalidate-episode";
export { deleteEpisode } from "./delete-episode";
export { assertUploadOpen } from "./assert-upload-open";
export { assertUploadFits, getRobotStorage, measureRobotStorage, type RobotStorage } from "./robot-storage";
export { listEpisodes, ZListEpisodesInput, EPISODE_SCAN_BUDGET, type EpisodeListPage } from "./list-episodes";
export { getEpisode, type EpisodeDetail } from "./get-episode";
export { getUploadActivity, type UploadActivity } from "./get-upload-activity";
export { signEpisodeManifest, verifyManifestSignature, MANIFEST_SIGNATURE_TYPE } from "./manifest-signature";
export {
  finishPromotion,
  runIngest,
  TFRECORD_QUEUE,
  tfrecordWorkId,
  ingestOf,
  isValidatedStatus,
  normalizeChecksum,
} from "./run-ingest";
export { FAULT_POINTS, reachFaultPoint, type FaultPoint } from "./fault-point";
export {
  assertEpisodeId,
  episodeRef,
  isEpisodeId,
  parseEpisodeRef,
  rawUploadKey,
  stagingRoot,
  tfrecordKey,
  validatedPrefix,
  ZEpisodeId,
} from "./episode-keys";
export { toEpisodeSummary, toIngestAnswer, summarizeMetadata, type EpisodeSummary, type IngestAnswer } from "./views";
export * from "./schemas";
