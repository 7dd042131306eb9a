import { decodeExample, type ExampleFeatures } from "@/lib/rlds/tfrecord/example-proto";
import { readTfrecords, type ReadTfrecordOptions } from "@/lib/rlds/tfrecord/tfrecord-framing";

/** The `tf.train.Example`s of a TFRecord stream, decoded one at a time. */
export async function* readTfrecordExamples(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options?: ReadTfrecordOptions,
): AsyncGenerator<ExampleFeatures> {
  for await (const record of readTfrecords(source, options)) yield decodeExample(record);
}
