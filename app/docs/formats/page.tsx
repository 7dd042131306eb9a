import type { Metadata } from "next";
import Link from "next/link";
import { Fragment, type ReactNode } from "react";
import { ISSUE_CODE_DESCRIPTIONS, ISSUE_CODES, type IssueCode } from "@/lib/rlds/issue-codes";
import { DEFAULT_LIMITS } from "@/lib/rlds/limits";
import { QUALITY_RULES } from "@/lib/rlds/validate/compute-quality";

export const metadata: Metadata = { title: "Episode formats and validation rules" };

/** `code` spans in a description (written with backticks) rendered as code. */
function withCode(text: string): ReactNode {
  return text
    .split("`")
    .map((part, index) =>
      index % 2 === 1 ? <code key={index}>{part}</code> : <Fragment key={index}>{part}</Fragment>,
    );
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const size = (bytes: number) => (bytes >= GiB ? `${bytes / GiB} GiB` : `${bytes / MiB} MiB`);

const VARIANTS: [string, string, string][] = [
  [
    "rlds_v1",
    "robots (schema 1.0 / 1.1)",
    "metadata.json + steps/000000.jsonl (or steps.jsonl at the root) + optional blobs/",
  ],
  [
    "rlds_v2",
    "the v2.0 unified writer",
    'the same directory with schema_version "2.0", step_idx, timestamp_us, is_truncated',
  ],
  ["single_json", "tools, tests", 'one JSON document {"metadata": {…}, "steps": […]}'],
  ["flutter_record", "the Flutter app", "a single-JSON episode with task_classification, source_context, assets[]"],
  [
    "xr_app",
    "the XR app",
    "the directory layout with camelCase keys (headsetPose, isTerminal, videoFrameId, continuon.xr_mode)",
  ],
  [
    "robot_package",
    "the robot runtime's packager",
    "<episode_id>/episode.json + upload_manifest.json (file_checksums verified) + step_NNNN_rgb.npy",
  ],
  [
    "tfrecord",
    "the robot runtime's converter, training datasets",
    "one tf.train.Example per step, plain or gzip-compressed (see TFRecord upload below)",
  ],
];

const CANONICAL = `episodes/validated/{robot_id}/{episode_id}/
  metadata.json          the episode's metadata, normalized (v1.1 names; XR camelCase mapped)
  steps.jsonl            one canonical step per line, in step order
  blobs/…                camera frames and other files the steps reference (copied byte for byte),
                         plus a .png made from each .npy frame for the replay
  index/manifest.json    replay index: step count, fields, clocks, frame streams
  index/offsets.u64      byte offset of every step in steps.jsonl (little-endian u64)
  index/timestamps.f64   one normalized clock per step
  index/series-l*.f32    numeric series for charts, with a min/max pyramid
  index/blobs.tsv        every blob: path, size
  index/frames-*.tsv     frame id → blob, for frames matched by step (robot runtime packages)`;

const STEP = `{"is_first": true,               // added when absent: true on the first step only
 "reward": 0,                     // added as 0 when absent
 "is_terminal": false,            // added as false when absent
 "observation": {…},              // any JSON object, kept byte for byte (numbers keep their exact digits)
 "action": {…},                   // any JSON object, same
 "discount": 1.0, "step_metadata": {"k": "v"},            // kept when present
 "timestamp_us": …, "step_idx": …, "is_truncated": false, "info": {…},   // v2.0, kept
 "is_last": false}                // added when absent: true on the last step only`;

const TFRECORD = `one tf.train.Example per step, in step order; standard framing: u64 length, masked CRC32C of it, data, masked CRC32C
episode_id            bytes
step_index            int64
reward                float
is_first, is_last, is_terminal   int64 (0/1)
discount              float (1.0 when absent)
observation, action   bytes: json.dumps(value, sort_keys=True), as the robot runtime writes it
observation_command, action_command   float lists (the "command" vector, else empty)
step_metadata         bytes (JSON), only when the step has it`;

export default function FormatsDocs() {
  const codes = Object.keys(ISSUE_CODES) as IssueCode[];
  const errors = codes.filter((code) => ISSUE_CODES[code] === "error");
  const warnings = codes.filter((code) => ISSUE_CODES[code] === "warning");
  const table = (list: IssueCode[]) => (
    <div className="overflow-x-auto">
      <table>
        <thead>
          <tr>
            <th>Code</th>
            <th>Meaning</th>
          </tr>
        </thead>
        <tbody>
          {list.map((code) => (
            <tr key={code} id={code}>
              <td>
                <code>{code}</code>
              </td>
              <td>{withCode(ISSUE_CODE_DESCRIPTIONS[code])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <>
      <h1>Episode formats and validation rules</h1>
      <p>
        What an upload may contain, how it is normalized, and every rule it is checked against, with the code each
        finding carries. <Link href="/docs/ingestion">Uploading episodes</Link> explains the upload flow itself.
      </p>

      <h2 id="containers">Containers</h2>
      <p>
        An upload is a <code>tar.gz</code> (default), <code>tar</code>, <code>zip</code>, a single JSON document or a
        TFRecord file (plain or gzip-compressed) — recognized by its first bytes, whatever the declared format — or a
        set of files uploaded one URL each (<code>files</code>). Archives are read in one pass without touching the disk
        (a zip is spooled to a temporary file: its directory is at the end). Entries are refused, and the whole upload
        rejected, when a path is absolute, climbs with <code>..</code>, holds a backslash or control character, or when
        an entry is a link or a device; decompression is metered as it happens, so a bomb is stopped at the first bytes
        past the ratio.
      </p>

      <h2 id="variants">Variants</h2>
      <p>
        Every variant in use in the field is accepted, normalized to the canonical layout, and recorded on the episode:
      </p>
      <div className="overflow-x-auto">
        <table>
          <thead>
            <tr>
              <th>Variant</th>
              <th>Written by</th>
              <th>Shape</th>
            </tr>
          </thead>
          <tbody>
            {VARIANTS.map(([name, by, shape]) => (
              <tr key={name}>
                <td>
                  <code>{name}</code>
                </td>
                <td>{by}</td>
                <td>{shape}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 id="robot-package">Robot runtime packages</h2>
      <p>
        The robot runtime packs an episode as <code>&lt;episode_id&gt;.tar.gz</code>:{" "}
        <code>&lt;episode_id&gt;/episode.json</code> (a single-JSON episode), <code>upload_manifest.json</code> (
        <code>file_checksums</code> are verified, <code>total_steps</code> is compared with the steps) and one file per
        camera frame, <code>step_NNNN_rgb.npy</code> and <code>step_NNNN_depth.npy</code>. The frames land in{" "}
        <code>blobs/</code>. The steps name their frames <code>frame_&lt;ns&gt;</code>, which matches no file: a frame
        id that names no file is matched with the image of its step (the step&apos;s <code>step_index</code>, else its
        position) of the same kind (file names containing <code>depth</code> are depth frames), and the pairs are kept
        in <code>index/frames-video.tsv</code> / <code>index/frames-depth.tsv</code>.
      </p>
      <h3 id="npy-frames">NumPy frames</h3>
      <p>
        A <code>.npy</code> frame (NumPy format 1.0–3.0, C order) is kept byte for byte and a PNG of it is written next
        to it (<code>step_0003_rgb.npy</code> → <code>step_0003_rgb.png</code>) for the replay: <code>uint8</code> H×W×3
        as RGB, H×W×4 as RGBA, H×W as grey; a <code>uint16</code> or <code>float32</code> H×W depth map as 8-bit grey
        scaled to the frame&apos;s largest value (0, no reading, stays black). A frame of another dtype or shape, or
        over 64 MiB, is kept without an image (warning <code>frame_not_rendered</code>). An image the upload holds under
        the PNG&apos;s name wins. The episode&apos;s file list names every stored object: canonical files, index files
        and each blob (the first 2 000 by path; all of them are in <code>index/blobs.tsv</code>).
      </p>

      <h2 id="canonical">The canonical episode</h2>
      <pre>{CANONICAL}</pre>
      <p>A canonical step is the robot&apos;s step text with the missing canonical members added around it:</p>
      <pre>{STEP}</pre>

      <h3 id="clock">The step clock</h3>
      <p>
        The first of these present on the first step is the episode&apos;s clock (duration, gaps, ordering, replay
        time): <code>timestamp_us</code>, <code>timestamp_ns</code>,{" "}
        <code>observation.robot_state.timestamp_nanos</code>, <code>observation.timestamp_ns</code>,{" "}
        <code>observation.timestamp_us</code>, <code>observation.robot_state.wall_time_millis</code>,{" "}
        <code>step_metadata.timestamp</code> (seconds), and the legacy microsecond names <code>timestamp_micros</code>,{" "}
        <code>observation.timestamp_micros</code>, <code>observation.robot_state.timestamp_micros</code>. Without any,
        the episode gets the <code>no_timestamps</code> warning.
      </p>
      <h3 id="metadata-names">Metadata names</h3>
      <p>
        The robot runtime&apos;s <code>robot_type</code> (in the metadata, or <code>upload_manifest.json</code>) is
        written as <code>robot_model</code> when the metadata has none; the original key stays. The XR app&apos;s{" "}
        <code>X-Continuon-Tag-*</code> headers fill the keys they name (
        <Link href="/docs/ingestion#field-clients">ingestion</Link>).
      </p>

      <h2 id="rules">Validation rules</h2>
      <p>
        Validation streams: memory does not grow with the episode. Every finding names the step (0-based) and field, or
        the file and line. <strong>Errors</strong> reject the episode (it stays in quarantine with its reasons);{" "}
        <strong>warnings</strong> accept it and lower its quality score. At most {DEFAULT_LIMITS.maxIssues} findings of
        each severity are listed; the rest are counted in <code>issue_counts</code>.
      </p>
      <h3 id="errors">Errors</h3>
      {table(errors)}
      <h3 id="warnings">Warnings</h3>
      {table(warnings)}

      <h2 id="quality">Quality score and training eligibility</h2>
      <p>The score starts at 1 and loses:</p>
      <ul>
        <li>
          <code>short</code>: 0.5 below {QUALITY_RULES.shortEpisodeSteps} steps, 0.2 below{" "}
          {QUALITY_RULES.briefEpisodeSteps}
        </li>
        <li>
          <code>gaps</code>: 0.05 per gap (an interval over {QUALITY_RULES.gapFactor}× the usual step period and at
          least {QUALITY_RULES.gapMinExtraMs} ms longer), at most 0.3
        </li>
        <li>
          <code>frozen_signals</code>: 0.3 when observations stop changing while actions change (at least{" "}
          {QUALITY_RULES.frozenShare * 100} % of such steps, and {QUALITY_RULES.frozenMinSteps} or more)
        </li>
        <li>
          <code>action_jerk</code>: 0.2 when an action field jumps around (mean second difference over its range above{" "}
          {QUALITY_RULES.jerkRatio})
        </li>
        <li>
          <code>clock_skew</code>: 0.1 when camera frames are more than {QUALITY_RULES.clockSkewMs} ms from the robot
          state
        </li>
        <li>
          <code>incomplete_metadata</code>: 0.02 per missing recommended field, at most 0.1; <code>no_timestamps</code>:
          0.1
        </li>
      </ul>
      <p>
        <code>training_eligible</code> is true when the episode validated, has at least {QUALITY_RULES.eligibleMinSteps}{" "}
        steps, scores at least {QUALITY_RULES.eligibleMinScore}, and is not flagged <code>frozen_signals</code>.
      </p>

      <h2 id="limits">Limits</h2>
      <ul>
        <li>
          Uploaded object: {size(DEFAULT_LIMITS.maxObjectBytes)}; decompressed in all:{" "}
          {size(DEFAULT_LIMITS.maxUncompressedBytes)}
        </li>
        <li>
          Compression ratio: {DEFAULT_LIMITS.maxCompressionRatio}:1 once {size(DEFAULT_LIMITS.ratioGraceBytes)} came
          out. Raw frames whose header states their size are judged by that size instead: a NumPy <code>.npy</code> (its{" "}
          <code>descr</code> and <code>shape</code>, an H×W or H×W×C array with sides up to 16 384 and at most 4
          channels), a BMP, or a binary PGM/PPM, when the archive entry is exactly as large as the header says. A mock
          camera&apos;s all-zero 640×480 frames compress about 500:1 and are accepted; a file whose header is missing,
          names something other than a frame, or disagrees with the entry&apos;s size counts against the ratio like any
          other byte, and so does everything else in the archive.
        </li>
        <li>
          Archive entries: {DEFAULT_LIMITS.maxEntries.toLocaleString("en")}; path: {DEFAULT_LIMITS.maxPathBytes} bytes,{" "}
          {DEFAULT_LIMITS.maxPathDepth} segments
        </li>
        <li>
          One step (a JSON Lines line or a <code>steps</code> element): {size(DEFAULT_LIMITS.maxLineBytes)}; metadata
          and manifests: {size(DEFAULT_LIMITS.maxMetadataBytes)}; steps: {DEFAULT_LIMITS.maxSteps.toLocaleString("en")}
        </li>
        <li id="nesting-depth">
          Nesting in one step: {DEFAULT_LIMITS.maxStepDepth} levels. The step object is level 1,{" "}
          <code>observation</code> and <code>action</code> level 2, and every object or array inside them one more (
          <code>&#123;&quot;observation&quot;: &#123;&quot;q&quot;: [1]&#125;&#125;</code> is 3 levels deep; field data
          nests about 5). A step nested deeper is an error, <code>too_deeply_nested</code>, naming the step and the path
          of the first value past the limit (<code>observation.a.a…</code>, array positions as <code>[i]</code>); the
          episode is rejected. The check stops at the limit, so a step of any depth costs no more than one at the limit.{" "}
          <code>metadata.json</code>, <code>upload_manifest.json</code> and the other members of a single-JSON episode
          are held to the same depth (the file is level 1, a member of the document level 2) and are refused with the
          same code, naming the file (and the member), before they are parsed.
        </li>
      </ul>

      <h2 id="tfrecord-upload">TFRecord upload</h2>
      <p>
        An episode may be uploaded as the TFRecord file the robot runtime&apos;s converter writes, or as the field keeps
        training data: the same records gzip-compressed in a file still named <code>.tfrecord</code> (ask for{" "}
        <code>format: &quot;tfrecord&quot;</code>; the first bytes tell plain from gzip). Each{" "}
        <code>tf.train.Example</code> is one step: <code>observation</code> and <code>action</code> (JSON bytes, kept as
        written), <code>reward</code>, <code>discount</code>, <code>is_first</code> / <code>is_last</code> /{" "}
        <code>is_terminal</code> (0/1 → booleans), <code>step_index</code>. <code>step_metadata</code> is kept when it
        is a JSON object; plain text (some datasets hold one) is kept as{" "}
        <code>&#123;&quot;text&quot;: &quot;…&quot;&#125;</code>. <code>observation_command</code> /{" "}
        <code>action_command</code> repeat <code>command</code> and are not copied. The metadata is{" "}
        <code>&#123;&quot;episode_id&quot;&#125;</code> of the records. One file is one episode: records of two{" "}
        <code>episode_id</code>s are refused (<code>ambiguous_layout</code>), a bad CRC, a record over{" "}
        {size(DEFAULT_LIMITS.maxLineBytes)} or a record that is not an Example as <code>corrupt_archive</code>; a gzip
        file is inflated under the same size and ratio caps as an archive. The steps are then validated, indexed and
        replayed like any other episode.
      </p>

      <h2 id="tfrecord">TFRecord output</h2>
      <pre>{TFRECORD}</pre>
      <p>
        The bytes of <code>observation</code> and <code>action</code> are exactly those of the robot runtime&apos;s
        Python converter (numbers keep their digits; floats print as Python prints them), so a file converted here and
        one converted on a robot are interchangeable.
      </p>
    </>
  );
}
