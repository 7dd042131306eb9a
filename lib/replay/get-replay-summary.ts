import type { Ctx } from "@/lib/context";
import { readTimestamps } from "@/lib/rlds/replay-index/read-replay-index";
import { fieldGroupOf } from "./field-groups";
import { openReplay, type OpenedReplay } from "./open-replay";
import { replayCache } from "./replay-cache";
import { TIME_SAMPLES, type ReplayMarker, type ReplaySummary } from "./schemas";

const MAX_MARKERS = 500;
/** Up to this many steps the whole clock file is read in one range (8 bytes a step) to sample it. */
const WHOLE_CLOCK_STEPS = 262_144;
const DEFAULT_PERIOD_US = 1e6 / 30;

async function sampleClock(replay: OpenedReplay): Promise<ReplaySummary["time_samples"]> {
  const { manifest, reader } = replay;
  const n = manifest.step_count;
  if (n === 0) return { step: [], t_us: [] };
  const count = Math.min(n, TIME_SAMPLES);
  const steps = Array.from({ length: count }, (_, i) => (count === 1 ? 0 : Math.round((i * (n - 1)) / (count - 1))));
  if (manifest.clock === null) return { step: steps, t_us: steps.map(() => null) };
  let values: number[];
  if (n <= WHOLE_CLOCK_STEPS) {
    const clock = await readTimestamps(reader, manifest, 0, n);
    values = steps.map((step) => clock[step]!);
  } else {
    values = await Promise.all(steps.map(async (step) => (await readTimestamps(reader, manifest, step, step + 1))[0]!));
  }
  return { step: steps, t_us: values.map((t) => (Number.isFinite(t) ? t : null)) };
}

/**
 * What the replay page needs before any step: length, clock, the numeric fields it can chart
 * (grouped into actions, joint positions, joint velocities, reward and other, whatever the
 * observation/action shape), the frame streams, evenly spaced time samples, and the validation
 * issues that name a step (timeline markers). Built from the index manifest and a single read of
 * the clock; cached per episode version.
 */
export async function getReplaySummary(ctx: Ctx, episodeId: string): Promise<ReplaySummary> {
  const replay = await openReplay(ctx, episodeId);
  const cache = replayCache<ReplaySummary>(ctx.services, "summaries", 128);
  const key = `${replay.version}|${replay.doc.data.status}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;

  const { manifest, doc } = replay;
  const episode = doc.data;
  const n = manifest.step_count;
  const first = manifest.clock?.first_us ?? null;
  const last = manifest.clock?.last_us ?? null;
  const declaredMs = episode.metadata.duration_ms ?? episode.stats?.duration_ms ?? null;
  let period = DEFAULT_PERIOD_US;
  if (first !== null && last !== null && n > 1 && last > first) period = (last - first) / (n - 1);
  else if (declaredMs !== null && declaredMs > 0 && n > 1) period = (declaredMs * 1000) / (n - 1);
  const duration = first !== null && last !== null ? Math.max(0, last - first) : period * Math.max(0, n - 1);

  const issues: ReplayMarker[] = [];
  let truncated = false;
  const addIssues = (list: typeof episode.validation.errors, severity: ReplayMarker["severity"]) => {
    for (const issue of list) {
      if (issue.step === null || issue.step < 0 || issue.step >= n) continue;
      if (issues.length >= MAX_MARKERS) {
        truncated = true;
        return;
      }
      issues.push({ step: issue.step, severity, code: issue.code, message: issue.message, field: issue.field });
    }
  };
  addIssues(episode.validation.errors, "error");
  addIssues(episode.validation.warnings, "warning");
  issues.sort((a, b) => a.step - b.step);

  const summary: ReplaySummary = {
    episode_id: episodeId,
    robot_id: episode.robot_id,
    robot_model: episode.robot_model,
    status: episode.status,
    uploaded_at: episode.uploaded_at,
    schema_variant: episode.schema_variant,
    tags: episode.metadata.tags,
    quality: episode.quality,
    step_count: n,
    clock_source: manifest.clock?.source ?? null,
    first_us: first,
    last_us: last,
    duration_us: duration,
    period_us: period,
    time_samples: await sampleClock(replay),
    fields: manifest.fields.map((field) => ({
      path: field.path,
      source: field.group,
      group: fieldGroupOf(field.path, field.group),
      min: field.min,
      max: field.max,
      count: field.count,
    })),
    fields_not_indexed: manifest.fields_not_indexed,
    frame_streams: manifest.frames.map((stream) => ({
      field: stream.field,
      kind: stream.kind,
      steps: stream.steps,
      included: stream.included,
    })),
    markers: issues,
    markers_truncated: truncated || (episode.issues_truncated ?? false),
  };
  cache.set(key, summary);
  return summary;
}
