import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { refuseArchive } from "@/lib/rlds/unpack/normalize-entry-path";

export interface SpooledFile {
  path: string;
  bytes: number;
  /** Delete the file; safe to call twice. */
  remove(): Promise<void>;
}

/**
 * Copy a stream to a new temporary file under `dir` (zip needs random access to its central
 * directory, which sits at the end). Refuses with `object_too_large` past `maxBytes` and removes
 * the partial file. The caller removes the file when done.
 */
export async function spoolToFile(source: Readable, dir: string, maxBytes: number): Promise<SpooledFile> {
  await fs.promises.mkdir(dir, { recursive: true });
  const filePath = path.join(dir, `spool-${randomUUID()}.tmp`);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        try {
          refuseArchive("object_too_large", `the object is larger than ${maxBytes} bytes`);
        } catch (error) {
          callback(error as Error);
          return;
        }
      }
      callback(null, chunk);
    },
  });
  const remove = () => fs.promises.rm(filePath, { force: true });
  try {
    await pipeline(source, counter, fs.createWriteStream(filePath, { flags: "wx" }));
  } catch (error) {
    await remove();
    throw error;
  }
  return { path: filePath, bytes, remove };
}
