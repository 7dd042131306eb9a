import type { ExampleFeatures, FeatureValue } from "@/lib/rlds/tfrecord/example-proto";

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** What one `tf.train.Example` of an uploaded TFRecord episode says. */
export interface TfrecordStep {
  /** The canonical step's JSON text (observation/action kept as their exact JSON text). */
  text: string;
  /** The `episode_id` feature, when present. */
  episodeId: string | null;
  /** A member that could not become part of the step: `observation`/`action` bytes that are not JSON. */
  invalid: { field: string; why: string } | null;
}

function bytesOf(feature: FeatureValue | undefined): Uint8Array | null {
  return feature?.kind === "bytes" && feature.value.length > 0 ? feature.value[0]! : null;
}

function numberOf(feature: FeatureValue | undefined): number | null {
  if (feature === undefined || feature.value.length === 0) return null;
  if (feature.kind === "float") return feature.value[0]!;
  if (feature.kind === "int64") return Number(feature.value[0]!);
  return null;
}

function jsonText(bytes: Uint8Array | null): { text: string } | { why: string } | null {
  if (bytes === null || bytes.length === 0) return null;
  const text = utf8.decode(bytes);
  try {
    JSON.parse(text);
  } catch (error) {
    return { why: (error as Error).message };
  }
  return { text };
}

/**
 * The canonical step of one TFRecord example as the robot runtime's converter and the field's
 * dataset scripts write them (docs: /docs/formats#tfrecord-upload): `observation` and `action`
 * are JSON bytes (kept as their text, numbers exactly as written), `reward` and `discount` floats,
 * `is_first` / `is_last` / `is_terminal` int64 0/1 (booleans), `step_index` int64. `step_metadata`
 * is kept when it is a JSON object; text that is not one (some datasets hold a plain string) is
 * kept as `{"text": "<the text>"}`. `observation_command` / `action_command` repeat the `command`
 * lists and are not copied.
 */
export function exampleToStep(features: ExampleFeatures): TfrecordStep {
  const members: string[] = [];
  let invalid: TfrecordStep["invalid"] = null;
  for (const field of ["observation", "action"] as const) {
    const value = jsonText(bytesOf(features[field]));
    if (value === null) continue;
    if ("why" in value) {
      invalid ??= { field, why: value.why };
      continue;
    }
    members.push(`${JSON.stringify(field)}:${value.text}`);
  }
  const reward = numberOf(features.reward);
  if (reward !== null) members.push(`"reward":${JSON.stringify(reward)}`);
  const discount = numberOf(features.discount);
  if (discount !== null) members.push(`"discount":${JSON.stringify(discount)}`);
  for (const flag of ["is_first", "is_last", "is_terminal"] as const) {
    const value = numberOf(features[flag]);
    if (value !== null) members.push(`"${flag}":${value !== 0}`);
  }
  const stepIndex = numberOf(features.step_index);
  if (stepIndex !== null && Number.isSafeInteger(stepIndex)) members.push(`"step_index":${stepIndex}`);
  const metadata = bytesOf(features.step_metadata);
  if (metadata !== null && metadata.length > 0) {
    const text = utf8.decode(metadata);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    members.push(`"step_metadata":${isObject ? text : JSON.stringify({ text })}`);
  }
  const episode = bytesOf(features.episode_id);
  return {
    text: `{${members.join(",")}}`,
    episodeId: episode === null ? null : utf8.decode(episode),
    invalid,
  };
}
