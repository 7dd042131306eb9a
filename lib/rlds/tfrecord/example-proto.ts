import protobuf from "protobufjs";

/** One feature of a `tf.train.Example`. int64 values are bigints (they may exceed 2^53). */
export type FeatureValue =
  { kind: "bytes"; value: Uint8Array[] } | { kind: "float"; value: number[] } | { kind: "int64"; value: bigint[] };

export type ExampleFeatures = Record<string, FeatureValue>;

// tensorflow/core/example/{example,feature}.proto, as a protobufjs JSON descriptor (no codegen step).
const root = protobuf.Root.fromJSON({
  nested: {
    tensorflow: {
      nested: {
        BytesList: { fields: { value: { rule: "repeated", type: "bytes", id: 1 } } },
        FloatList: { fields: { value: { rule: "repeated", type: "float", id: 1, options: { packed: true } } } },
        Int64List: { fields: { value: { rule: "repeated", type: "int64", id: 1, options: { packed: true } } } },
        Feature: {
          oneofs: { kind: { oneof: ["bytes_list", "float_list", "int64_list"] } },
          fields: {
            bytes_list: { type: "BytesList", id: 1 },
            float_list: { type: "FloatList", id: 2 },
            int64_list: { type: "Int64List", id: 3 },
          },
        },
        Features: { fields: { feature: { keyType: "string", type: "Feature", id: 1 } as protobuf.IMapField } },
        Example: { fields: { features: { type: "Features", id: 1 } } },
      },
    },
  },
});

const ExampleType = root.lookupType("tensorflow.Example");

interface RawFeature {
  bytes_list?: { value?: Uint8Array[] };
  float_list?: { value?: number[] };
  int64_list?: { value?: (number | { toString(): string })[] };
}

/** Serialize a `tf.train.Example`. */
export function encodeExample(features: ExampleFeatures): Uint8Array {
  const feature: Record<string, RawFeature> = {};
  for (const [name, f] of Object.entries(features)) {
    if (f.kind === "bytes") feature[name] = { bytes_list: { value: f.value } };
    else if (f.kind === "float") feature[name] = { float_list: { value: f.value } };
    else feature[name] = { int64_list: { value: f.value.map((v) => v.toString()) } };
  }
  return ExampleType.encode(ExampleType.fromObject({ features: { feature } })).finish();
}

/** Parse a serialized `tf.train.Example` (packed or unpacked lists, as any TensorFlow writer emits). */
export function decodeExample(bytes: Uint8Array): ExampleFeatures {
  const message = ExampleType.decode(bytes) as unknown as { features?: { feature?: Record<string, RawFeature> } };
  const out: ExampleFeatures = {};
  for (const [name, f] of Object.entries(message.features?.feature ?? {})) {
    if (f.bytes_list) out[name] = { kind: "bytes", value: (f.bytes_list.value ?? []).map((b) => new Uint8Array(b)) };
    else if (f.float_list) out[name] = { kind: "float", value: [...(f.float_list.value ?? [])] };
    else if (f.int64_list)
      out[name] = { kind: "int64", value: (f.int64_list.value ?? []).map((v) => BigInt(v.toString())) };
    else out[name] = { kind: "bytes", value: [] };
  }
  return out;
}
