import type { Writable } from "node:stream";
import { DomainError } from "@/lib/errors";
import { LineSplitter } from "@/lib/rlds/json/line-splitter";
import { BufferedOutput } from "@/lib/rlds/sink/buffered-output";
import { encodeExample } from "@/lib/rlds/tfrecord/example-proto";
import { stepToExample } from "@/lib/rlds/tfrecord/step-to-example";
import { frameRecord } from "@/lib/rlds/tfrecord/tfrecord-framing";

export interface WriteEpisodeTfrecordInput {
  episodeId: string;
  /** The canonical `steps.jsonl` (as written by `processEpisode`). */
  steps: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Receives the `.tfrecord` bytes; ended when done. */
  output: Writable;
  /** Longest step line accepted (default 16 MiB, as at ingest). */
  maxLineBytes?: number;
}

/**
 * Convert a canonical episode to TFRecord: one framed `tf.train.Example` per step, in step order,
 * streamed (one step in memory). Meant for a background job after ingest; it parses every
 * number losslessly so observation/action bytes match the robot runtime's Python converter.
 */
export async function writeEpisodeTfrecord(
  input: WriteEpisodeTfrecordInput,
): Promise<{ records: number; bytes: number }> {
  const out = new BufferedOutput("episode.tfrecord", "application/octet-stream", input.output);
  let records = 0;
  const splitter = new LineSplitter(input.maxLineBytes ?? 16 * 1024 * 1024, {
    onLine(line) {
      const text = line.toString("utf8").trim();
      if (text === "") return;
      out.writeBytes(frameRecord(encodeExample(stepToExample(text, input.episodeId, records))));
      records += 1;
    },
    onTooLong(lineNo) {
      throw new DomainError("invalid", `steps.jsonl line ${lineNo} is too long to convert.`, {
        reason: "line_too_long",
      });
    },
  });
  try {
    for await (const chunk of input.steps) {
      splitter.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      await out.drain();
    }
    splitter.end();
  } catch (error) {
    out.destroy(error as Error);
    throw error;
  }
  const bytes = await out.close();
  return { records, bytes };
}
