/**
 * Test helpers that build archives in memory, including hostile ones (traversal, links, bombs),
 * and small episode directories. Test-only: yazl is a dev dependency.
 */
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import tar from "tar-stream";
import yazl from "yazl";

export interface TarSpec {
  name: string;
  body?: string | Buffer;
  type?: "file" | "directory" | "symlink" | "link" | "fifo" | "character-device" | "block-device";
  linkname?: string;
  /** Stream this many zero bytes as the body (for bombs and size caps). */
  zeros?: number;
}

/** A tar (gzip unless `gzip: false`) of the given entries, as a Buffer. */
export async function buildTar(entries: TarSpec[], options: { gzip?: boolean } = {}): Promise<Buffer> {
  const pack = tar.pack();
  const done = (async () => {
    for (const spec of entries) {
      const type = spec.type ?? "file";
      if (spec.zeros !== undefined) {
        const entry = pack.entry({ name: spec.name, size: spec.zeros, type: "file" });
        const chunk = Buffer.alloc(1024 * 1024);
        let left = spec.zeros;
        while (left > 0) {
          const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= piece.length;
          if (!entry.write(piece)) await new Promise<void>((resolve) => entry.once("drain", () => resolve()));
        }
        await new Promise<void>((resolve, reject) => entry.end((error?: Error) => (error ? reject(error) : resolve())));
        continue;
      }
      const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.from(spec.body);
      const header = {
        name: spec.name,
        type,
        linkname: spec.linkname,
        size: type === "file" ? body.length : 0,
        mtime: new Date(0),
      };
      await new Promise<void>((resolve, reject) => {
        const callback = (error?: Error | null) => (error ? reject(error) : resolve());
        if (type === "file") pack.entry(header, body, callback);
        else pack.entry(header, callback);
      });
    }
    pack.finalize();
  })();
  const chunks: Buffer[] = [];
  const stream = options.gzip === false ? pack : (pack as unknown as Readable).pipe(zlib.createGzip({ level: 9 }));
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  await done;
  return Buffer.concat(chunks);
}

export interface ZipSpec {
  name: string;
  body?: string | Buffer;
  /** Unix mode bits (e.g. 0o120777 for a symlink). */
  mode?: number;
  compress?: boolean;
}

/**
 * A zip of the given entries. `rename` rewrites names afterwards, byte for byte in both the local
 * and the central headers (the new name must have the same byte length): yazl refuses to write
 * hostile names, so tests write a harmless one and patch it.
 */
export async function buildZip(entries: ZipSpec[], rename: Record<string, string> = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const spec of entries) {
    zip.addBuffer(Buffer.from(spec.body ?? ""), spec.name, {
      mtime: new Date(0),
      ...(spec.mode !== undefined ? { mode: spec.mode } : {}),
      compress: spec.compress ?? true,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  for (const [from, to] of Object.entries(rename)) {
    const a = Buffer.from(from);
    const b = Buffer.from(to);
    if (a.length !== b.length) throw new Error("rename must keep the byte length");
    let at = bytes.indexOf(a);
    while (at !== -1) {
      b.copy(bytes, at);
      at = bytes.indexOf(a, at + 1);
    }
  }
  return bytes;
}

/** A stream of a Buffer, in chunks of `chunk` bytes (exercises chunk boundaries). */
export function streamOf(bytes: Buffer | string, chunk = 64 * 1024): Readable {
  const buffer = Buffer.from(bytes);
  return Readable.from(
    (function* () {
      for (let i = 0; i < buffer.length; i += chunk) yield buffer.subarray(i, i + chunk);
    })(),
  );
}

/** The real field samples, copied into the repo. */
export const UPSTREAM_FIXTURES = fileURLToPath(new URL("../../../tests/fixtures/upstream/", import.meta.url));

export function upstreamFile(relative: string): string {
  return path.join(UPSTREAM_FIXTURES, relative);
}

/** A directory of the fixtures as `[path, bytes]` entries (for packing into archives). */
export function upstreamDirectory(relative: string): { name: string; body: Buffer }[] {
  const root = upstreamFile(relative);
  const out: { name: string; body: Buffer }[] = [];
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (fs.statSync(full).isDirectory()) walk(full);
      else out.push({ name: path.relative(root, full).split(path.sep).join("/"), body: fs.readFileSync(full) });
    }
  };
  walk(root);
  return out;
}

/** JSON Lines text of the given steps. */
export function jsonl(steps: unknown[]): string {
  return steps.map((step) => JSON.stringify(step)).join("\n") + "\n";
}

/** A minimal valid robotics step (override fields as needed). */
export function step(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    observation: {
      robot_state: {
        timestamp_nanos: 1_000_000_000 + i * 100_000_000,
        joint_positions: [Math.sin(i / 5), Math.cos(i / 5)],
      },
    },
    action: { command: [Math.sin((i + 1) / 5), Math.cos((i + 1) / 5)], source: "human_teleop_xr" },
    reward: 0,
    is_terminal: false,
    ...extra,
  };
}

/** Good v1.1 metadata. */
export const METADATA = {
  xr_mode: "trainer",
  control_role: "human_teleop",
  environment_id: "lab",
  tags: ["test"],
  software: { xr_app: "test", continuonbrain_os: "test", glove_firmware: "absent" },
  robot_model: "companion-v1",
  start_time_unix_ms: 1_765_000_000_000,
};

/**
 * A NumPy `.npy` file (format 1.0, C order) as `numpy.save` writes it: the magic, the header dict
 * padded with spaces to a multiple of 64 bytes, then the data. `data` defaults to zeros (a mock
 * camera's frame); `declaredShape` writes a header that lies about the data that follows.
 */
export function npyFile(
  descr: "|u1" | "<u2" | "<f4",
  shape: number[],
  options: { data?: Buffer; declaredShape?: number[] } = {},
): Buffer {
  const declared = options.declaredShape ?? shape;
  const dims = declared.length === 1 ? `(${declared[0]},)` : `(${declared.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  const itemSize = descr === "|u1" ? 1 : descr === "<u2" ? 2 : 4;
  const data = options.data ?? Buffer.alloc(shape.reduce((a, b) => a * b, 1) * itemSize);
  return Buffer.concat([prefix, Buffer.from(header, "latin1"), data]);
}
