/**
 * Every finding the episode pipeline can report, with its severity. Codes are stable lower_snake
 * strings: robots, the console and the docs branch on them, so never repurpose one — add a new
 * code instead. Errors reject the episode (it stays in quarantine with its reasons); warnings
 * accept it and lower its quality score.
 *
 * | code | severity | meaning |
 * | --- | --- | --- |
 * | `invalid_json` | error | A JSON Lines line, a `steps` element or a JSON file is not valid JSON (names the file and line). |
 * | `line_too_long` | error | A line or `steps` element is longer than `maxLineBytes`. |
 * | `invalid_step` | error | A step is valid JSON but not a JSON object. |
 * | `missing_observation` | error | A step has no `observation` (or it is null). |
 * | `missing_action` | error | A step has no `action` (or it is null). |
 * | `invalid_field_type` | error | A canonical field has the wrong type: `observation`/`action`/`step_metadata` not an object, `reward`/`discount`/`timestamp_us` not a finite number, `is_*` not a boolean. |
 * | `too_deeply_nested` | error | A step nests objects and arrays deeper than `maxStepDepth` levels (names the step and the field path), or a metadata or manifest file (or a single-JSON member) does. |
 * | `no_steps` | error | The episode holds no step at all. |
 * | `too_many_steps` | error | More than `maxSteps` steps. |
 * | `step_count_mismatch` | error | The step count is far from the one declared (upload request, `metadata.num_steps`, `upload_manifest.total_steps`). |
 * | `duration_mismatch` | error | The duration measured from step timestamps is far from the one declared. |
 * | `checksum_mismatch` | error | The object's SHA-256 differs from the expected one, or a file differs from `upload_manifest.file_checksums`. |
 * | `manifest_file_missing` | error | A file listed in `upload_manifest.file_checksums` is not in the archive. |
 * | `blob_missing` | error | A step references a blob (`blobs/…` path, or a frame id of a stream whose frames are included) that is not in the archive. |
 * | `blob_empty` | error | A referenced blob has zero bytes. |
 * | `non_monotonic_timestamp` | error | A step's timestamp is earlier than the previous step's. |
 * | `multiple_is_first` | error | More than one step has `is_first: true`. |
 * | `misplaced_is_first` | error | The step with `is_first: true` is not the first step. |
 * | `step_after_terminal` | error | A step follows a step with `is_terminal: true` or `is_last: true`. |
 * | `inconsistent_fields` | error | A step's numeric fields differ from the first step's (a field missing, added, or an array of another length), or a top-level numeric field (`timestamp_us`, `step_idx`, `discount`) is present on some steps only. |
 * | `ambiguous_layout` | error | The archive holds two episodes or two step layouts (e.g. `steps.jsonl` and `steps/`, two top-level folders). |
 * | `invalid_metadata` | error | `metadata.json` (or the `metadata` member) is not a JSON object, or is larger than `maxMetadataBytes`. |
 * | `path_traversal` | error | An archive entry path has a `..` segment (zip slip, tar `../`). |
 * | `absolute_path` | error | An archive entry path is absolute (`/x`, `C:/x`). |
 * | `backslash_path` | error | An archive entry path holds a backslash. |
 * | `invalid_path` | error | An archive entry path is empty, holds control characters, or is too long or too deep. |
 * | `symlink_entry` | error | The archive holds a symbolic link. |
 * | `hardlink_entry` | error | The archive holds a hard link. |
 * | `special_entry` | error | The archive holds a device, FIFO or socket entry. |
 * | `encrypted_entry` | error | A zip entry is encrypted. |
 * | `duplicate_entry` | error | Two archive entries have the same path. |
 * | `too_many_entries` | error | More than `maxEntries` entries. |
 * | `uncompressed_too_large` | error | Decompressed bytes exceed `maxUncompressedBytes`. |
 * | `compression_ratio_exceeded` | error | Decompressed/compressed ratio above `maxCompressionRatio` (decompression bomb). |
 * | `truncated_archive` | error | The gzip or tar stream ends early. |
 * | `corrupt_archive` | error | The gzip, tar or zip data is damaged or is not an archive. |
 * | `entry_too_large` | error | A metadata or manifest file is larger than `maxMetadataBytes`. |
 * | `object_too_large` | error | The uploaded object is larger than `maxObjectBytes`. |
 * | `unsupported_format` | error | The object is none of the accepted formats (tar.gz, tar, zip, JSON), or no episode was found in it. |
 * | `ingest_failed` | error | The ingest itself failed (not the content) on every allowed attempt; the episode is quarantined with the error and may be re-validated. |
 * | `missing_metadata` | warning | A recommended metadata field (or `metadata.json` itself) is absent. |
 * | `short_episode` | warning | Fewer steps than the short-episode threshold (10). |
 * | `clock_skew` | warning | A camera frame's timestamp differs from the robot state's by more than 5 ms. |
 * | `timestamp_gap` | warning | The time between two steps is much longer than the episode's usual step period. |
 * | `step_index_gap` | warning | `step_idx` skips numbers (steps were dropped). |
 * | `no_timestamps` | warning | No step clock was found, so duration, gaps and ordering cannot be checked. |
 * | `step_metadata_not_strings` | warning | `step_metadata` holds non-string values (kept as they are). |
 * | `ignored_entry` | warning | An archive entry is not part of any known layout and was not copied. |
 * | `frame_not_rendered` | warning | A raw `.npy` frame is kept but has no image in the replay (not an image shape or dtype, or too large). |
 */
export const ISSUE_CODES = {
  invalid_json: "error",
  line_too_long: "error",
  invalid_step: "error",
  missing_observation: "error",
  missing_action: "error",
  invalid_field_type: "error",
  too_deeply_nested: "error",
  no_steps: "error",
  too_many_steps: "error",
  step_count_mismatch: "error",
  duration_mismatch: "error",
  checksum_mismatch: "error",
  manifest_file_missing: "error",
  blob_missing: "error",
  blob_empty: "error",
  non_monotonic_timestamp: "error",
  multiple_is_first: "error",
  misplaced_is_first: "error",
  step_after_terminal: "error",
  inconsistent_fields: "error",
  ambiguous_layout: "error",
  invalid_metadata: "error",
  path_traversal: "error",
  absolute_path: "error",
  backslash_path: "error",
  invalid_path: "error",
  symlink_entry: "error",
  hardlink_entry: "error",
  special_entry: "error",
  encrypted_entry: "error",
  duplicate_entry: "error",
  too_many_entries: "error",
  uncompressed_too_large: "error",
  compression_ratio_exceeded: "error",
  truncated_archive: "error",
  corrupt_archive: "error",
  entry_too_large: "error",
  object_too_large: "error",
  unsupported_format: "error",
  ingest_failed: "error",
  missing_metadata: "warning",
  short_episode: "warning",
  clock_skew: "warning",
  timestamp_gap: "warning",
  step_index_gap: "warning",
  no_timestamps: "warning",
  step_metadata_not_strings: "warning",
  ignored_entry: "warning",
  frame_not_rendered: "warning",
} as const satisfies Record<string, "error" | "warning">;

export type IssueCode = keyof typeof ISSUE_CODES;

/**
 * What each code means, for people: the docs render the validation rules from this table (kept
 * beside `ISSUE_CODES` so a new code cannot ship without its explanation).
 */
export const ISSUE_CODE_DESCRIPTIONS: Record<IssueCode, string> = {
  invalid_json: "A JSON Lines line, a `steps` element or a JSON file is not valid JSON (names the file and line).",
  line_too_long: "A line or `steps` element is longer than `maxLineBytes`.",
  invalid_step: "A step is valid JSON but not a JSON object.",
  missing_observation: "A step has no `observation` (or it is null).",
  missing_action: "A step has no `action` (or it is null).",
  invalid_field_type:
    "A canonical field has the wrong type: `observation`/`action`/`step_metadata` not an object, `reward`/`discount`/`timestamp_us` not a finite number, `is_*` not a boolean.",
  too_deeply_nested:
    "A step nests objects and arrays deeper than `maxStepDepth` levels (64 by default; the step object is level 1). The issue names the step and the path of the first value past the limit. `metadata.json`, manifests and the other members of a single-JSON episode are held to the same depth (the file is level 1, a member level 2).",
  no_steps: "The episode holds no step at all.",
  too_many_steps: "More than `maxSteps` steps.",
  step_count_mismatch:
    "The step count is far from the one declared (upload request, `metadata.num_steps`, `upload_manifest.total_steps`).",
  duration_mismatch: "The duration measured from step timestamps is far from the one declared.",
  checksum_mismatch:
    "The object's SHA-256 differs from the expected one, or a file differs from `upload_manifest.file_checksums`.",
  manifest_file_missing: "A file listed in `upload_manifest.file_checksums` is not in the archive.",
  blob_missing:
    "A step references a blob (`blobs/…` path, or a frame id of a stream whose frames are included) that is not in the archive.",
  blob_empty: "A referenced blob has zero bytes.",
  non_monotonic_timestamp: "A step's timestamp is earlier than the previous step's.",
  multiple_is_first: "More than one step has `is_first: true`.",
  misplaced_is_first: "The step with `is_first: true` is not the first step.",
  step_after_terminal: "A step follows a step with `is_terminal: true` or `is_last: true`.",
  inconsistent_fields:
    "A step's numeric fields differ from the first step's (a field missing, added, or an array of another length), or a top-level numeric field (`timestamp_us`, `step_idx`, `discount`) is present on some steps only.",
  ambiguous_layout:
    "The archive holds two episodes or two step layouts (e.g. `steps.jsonl` and `steps/`, two top-level folders).",
  invalid_metadata:
    "`metadata.json` (or the `metadata` member) is not a JSON object, or is larger than `maxMetadataBytes`.",
  path_traversal: "An archive entry path has a `..` segment (zip slip, tar `../`).",
  absolute_path: "An archive entry path is absolute (`/x`, `C:/x`).",
  backslash_path: "An archive entry path holds a backslash.",
  invalid_path: "An archive entry path is empty, holds control characters, or is too long or too deep.",
  symlink_entry: "The archive holds a symbolic link.",
  hardlink_entry: "The archive holds a hard link.",
  special_entry: "The archive holds a device, FIFO or socket entry.",
  encrypted_entry: "A zip entry is encrypted.",
  duplicate_entry: "Two archive entries have the same path.",
  too_many_entries: "More than `maxEntries` entries.",
  uncompressed_too_large: "Decompressed bytes exceed `maxUncompressedBytes`.",
  compression_ratio_exceeded: "Decompressed/compressed ratio above `maxCompressionRatio` (decompression bomb).",
  truncated_archive: "The gzip or tar stream ends early.",
  corrupt_archive: "The gzip, tar or zip data is damaged or is not an archive.",
  entry_too_large: "A metadata or manifest file is larger than `maxMetadataBytes`.",
  object_too_large: "The uploaded object is larger than `maxObjectBytes`.",
  unsupported_format:
    "The object is none of the accepted formats (tar.gz, tar, zip, JSON), or no episode was found in it.",
  ingest_failed:
    "The ingest itself failed (not the content) on every allowed attempt; the episode is quarantined with the error and may be re-validated.",
  missing_metadata: "A recommended metadata field (or `metadata.json` itself) is absent.",
  short_episode: "Fewer steps than the short-episode threshold (10).",
  clock_skew: "A camera frame's timestamp differs from the robot state's by more than 5 ms.",
  timestamp_gap: "The time between two steps is much longer than the episode's usual step period.",
  step_index_gap: "`step_idx` skips numbers (steps were dropped).",
  no_timestamps: "No step clock was found, so duration, gaps and ordering cannot be checked.",
  step_metadata_not_strings: "`step_metadata` holds non-string values (kept as they are).",
  ignored_entry: "An archive entry is not part of any known layout and was not copied.",
  frame_not_rendered:
    "A raw `.npy` frame is kept as uploaded but has no image in the replay: its dtype or shape is not an image's (uint8 H×W, H×W×3, H×W×4; uint16 or float32 H×W depth), or it is larger than 64 MiB.",
};

export type IssueSeverity = "error" | "warning";

export function isIssueCode(value: unknown): value is IssueCode {
  return typeof value === "string" && Object.hasOwn(ISSUE_CODES, value);
}

/** Issue codes an archive reader uses as the `reason` of the `DomainError` it throws. */
export type UnpackReason = Extract<
  IssueCode,
  | "path_traversal"
  | "absolute_path"
  | "backslash_path"
  | "invalid_path"
  | "symlink_entry"
  | "hardlink_entry"
  | "special_entry"
  | "encrypted_entry"
  | "duplicate_entry"
  | "too_many_entries"
  | "uncompressed_too_large"
  | "compression_ratio_exceeded"
  | "truncated_archive"
  | "corrupt_archive"
  | "entry_too_large"
  | "object_too_large"
  | "unsupported_format"
  | "invalid_json"
  | "line_too_long"
>;
