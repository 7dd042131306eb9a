/**
 * RLDS episode processing: safe unpacking, variant normalization, streaming validation, the
 * replay index and TFRecord conversion. Framework-free; storage comes in through `EpisodeSink`
 * and `EpisodeFileReader`, which have BlobStore-backed implementations.
 */

// The pipeline
export { processEpisode, type ProcessEpisodeInput } from "@/lib/rlds/process-episode";
export {
  checkDeclaredFiles,
  filesManifestChecksum,
  processEpisodeFiles,
  type EpisodeFileSource,
  type ProcessEpisodeFilesInput,
} from "@/lib/rlds/process-episode-files";
export { DEFAULT_LIMITS, resolveLimits, type EpisodeLimits } from "@/lib/rlds/limits";
export {
  ISSUE_CODE_DESCRIPTIONS,
  ISSUE_CODES,
  isIssueCode,
  type IssueCode,
  type IssueSeverity,
} from "@/lib/rlds/issue-codes";
export {
  EPISODE_FORMATS,
  QUALITY_FLAGS,
  VARIANTS,
  ZCanonicalStep,
  ZDeclaredMetadata,
  ZEpisodeStats,
  ZEpisodeVerdict,
  ZIssue,
  ZQuality,
  type CanonicalStep,
  type DeclaredMetadata,
  type EpisodeFormat,
  type EpisodeStats,
  type EpisodeVerdict,
  type Issue,
  type Quality,
  type QualityFlag,
  type Variant,
  type WrittenFile,
} from "@/lib/rlds/schemas";
export { CANONICAL_FILES, contentTypeOf } from "@/lib/rlds/episode-assembler";

// Output and input adapters
export {
  createBlobStoreSink,
  createDirectorySink,
  createMemorySink,
  type EpisodeSink,
} from "@/lib/rlds/sink/episode-sink";

// Unpacking
export type { ArchiveEntry, UnpackOptions } from "@/lib/rlds/unpack/archive-entry";
export { normalizeEntryPath } from "@/lib/rlds/unpack/normalize-entry-path";
export { readTar, readTarGz } from "@/lib/rlds/unpack/read-tar";
export { readZipFile, type ZipReadOptions } from "@/lib/rlds/unpack/read-zip";
export { spoolToFile, type SpooledFile } from "@/lib/rlds/unpack/spool-to-file";
export { detectFormat, sniffFormat, type ContainerFormat } from "@/lib/rlds/unpack/sniff-format";
export { JsonEpisodeScanner, type JsonEpisodeHandlers } from "@/lib/rlds/json/scan-json-episode";

// Validation
export { computeQuality, isTrainingEligible, QUALITY_RULES } from "@/lib/rlds/validate/compute-quality";
export {
  EpisodeValidator,
  resolveFrameBlob,
  type ClockSource,
  type FrameStreamReport,
  type ValidationReport,
} from "@/lib/rlds/validate/episode-validator";

// Replay index
export {
  MAX_PYRAMID_LEVEL,
  PYRAMID_FACTOR,
  REPLAY_INDEX_FILES,
  ROW_GROUP,
  seriesRunRange,
  ZReplayManifest,
  type ReplayField,
  type ReplayLevel,
  type ReplayManifest,
} from "@/lib/rlds/replay-index/format";
export {
  createBlobStoreReader,
  createDirectoryReader,
  downsampleSeries,
  readReplayManifest,
  readSeries,
  readStepOffsets,
  readStepWindow,
  readTimestamps,
  type EpisodeFileReader,
  type SeriesBucket,
  type SeriesWindow,
} from "@/lib/rlds/replay-index/read-replay-index";

// TFRecord
export {
  decodeExample,
  encodeExample,
  type ExampleFeatures,
  type FeatureValue,
} from "@/lib/rlds/tfrecord/example-proto";
export {
  frameRecord,
  maskedCrc32c,
  readTfrecords,
  type ReadTfrecordOptions,
} from "@/lib/rlds/tfrecord/tfrecord-framing";
export { readTfrecordExamples } from "@/lib/rlds/tfrecord/read-tfrecord-examples";
export { stepToExample } from "@/lib/rlds/tfrecord/step-to-example";
export { writeEpisodeTfrecord, type WriteEpisodeTfrecordInput } from "@/lib/rlds/tfrecord/write-episode-tfrecord";
export { pythonJsonDumps } from "@/lib/rlds/json/python-json";

// Synthetic episodes (benchmarks, simulator, tests)
export {
  frameIdOf,
  generateEpisodeFrames,
  generateEpisodeJson,
  generateEpisodeMetadata,
  generateEpisodeSteps,
  packDirectory,
  writeEpisodeDirectory,
  type FrameRequest,
  type GenerateEpisodeOptions,
} from "@/lib/rlds/generate-episode";
