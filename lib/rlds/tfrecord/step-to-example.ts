import { DomainError } from "@/lib/errors";
import { isLosslessNumber, isLosslessObject, parseLossless, type LosslessValue } from "@/lib/rlds/json/lossless";
import { pythonJsonDumps } from "@/lib/rlds/json/python-json";
import type { ExampleFeatures } from "@/lib/rlds/tfrecord/example-proto";

const utf8 = new TextEncoder();

function num(value: LosslessValue | undefined, fallback: number): number {
  if (isLosslessNumber(value)) return Number(value.value);
  return fallback;
}

function flag(value: LosslessValue | undefined): bigint {
  return value === true ? 1n : 0n;
}

/** `command` as floats when it is a list of numbers, else empty (as the runtime's converter does). */
function commandOf(value: LosslessValue | undefined): number[] {
  if (!isLosslessObject(value)) return [];
  const command = value.command;
  if (!Array.isArray(command) || !command.every(isLosslessNumber)) return [];
  return command.map((x) => Number(x.value));
}

/**
 * The `tf.train.Example` of one canonical step (PRODUCT.md §7), feature for feature what the
 * robot runtime's converter writes, plus `is_first`, `is_last` and `discount` (1.0 when absent) as
 * its dataset-prep scripts add: `observation`, `action` and `step_metadata` are
 * `json.dumps(…, sort_keys=True)` bytes, the command lists float32, flags int64 0/1.
 */
export function stepToExample(line: string, episodeId: string, stepIndex: number): ExampleFeatures {
  let step: LosslessValue;
  try {
    step = parseLossless(line);
  } catch (error) {
    throw new DomainError("invalid", `Step ${stepIndex} is not valid JSON (${(error as Error).message}).`, {
      reason: "invalid_json",
    });
  }
  if (!isLosslessObject(step)) {
    throw new DomainError("invalid", `Step ${stepIndex} is not a JSON object.`, { reason: "invalid_step" });
  }
  const observation = step.observation ?? {};
  const action = step.action ?? {};
  const features: ExampleFeatures = {
    episode_id: { kind: "bytes", value: [utf8.encode(episodeId)] },
    step_index: { kind: "int64", value: [BigInt(stepIndex)] },
    reward: { kind: "float", value: [num(step.reward, 0)] },
    is_first: { kind: "int64", value: [flag(step.is_first)] },
    is_last: { kind: "int64", value: [flag(step.is_last)] },
    is_terminal: { kind: "int64", value: [flag(step.is_terminal)] },
    discount: { kind: "float", value: [num(step.discount, 1)] },
    observation: { kind: "bytes", value: [utf8.encode(pythonJsonDumps(observation))] },
    action: { kind: "bytes", value: [utf8.encode(pythonJsonDumps(action))] },
    observation_command: { kind: "float", value: commandOf(observation) },
    action_command: { kind: "float", value: commandOf(action) },
  };
  const metadata = step.step_metadata;
  if (isLosslessObject(metadata) && Object.keys(metadata).length > 0) {
    features.step_metadata = { kind: "bytes", value: [utf8.encode(pythonJsonDumps(metadata))] };
  }
  return features;
}
