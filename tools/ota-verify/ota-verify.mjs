#!/usr/bin/env node
/**
 * ota-verify — check a continuon.cloud OTA bundle the way a robot should, with nothing but Node.js
 * (18 or newer; no npm install). A robot maker can copy this one file.
 *
 *   node ota-verify.mjs bundle.tar.gz --signature <base64 | @file> --public-key <base64 | @file | URL>
 *        [--checksum sha256:<hex>] [--extract <dir>]
 *   node ota-verify.mjs --index https://continuon.cloud/api/ota/<device_id>/registry.json
 *        [--model-id seed] --public-key <…> [--extract <dir>]
 *
 * Checks, in order: SHA-256 of the whole file against the checksum; the detached Ed25519 signature
 * (standard base64) over the whole file with the platform's raw 32-byte public key; then unpacks
 * the tar.gz refusing absolute paths, `..`, links and devices, requires `manifest.json` at the
 * root, and checks every file the manifest lists (SHA-256 and size) and every `required_files`
 * entry. Prints one JSON object; exits 0 when everything verifies, 1 when something does not,
 * 2 on a usage error.
 *
 * The tar reader is written here (ustar + pax + GNU long names) so the script needs no package.
 */
import { createHash, createPublicKey, verify as verifySignature } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { createGunzip } from "node:zlib";

export class VerificationError extends Error {
  /** @param {string} step @param {string} message */
  constructor(step, message) {
    super(`${step}: ${message}`);
    this.name = "VerificationError";
    this.step = step;
  }
}

/** Raw 32-byte Ed25519 key from standard or url-safe base64. @param {string} base64 */
export function publicKeyFromBase64(base64) {
  const raw = Buffer.from(base64.trim().replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (raw.length !== 32) throw new VerificationError("public_key", `expected 32 raw bytes, got ${raw.length}`);
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
}

/** SHA-256 (hex) and size of a file, streamed. @param {string} file */
export async function sha256File(file) {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest("hex"), size };
}

/**
 * Checksum and signature of a bundle file.
 * @param {{ file: string, signature: string, publicKey: string, checksum?: string | null }} input
 */
export async function verifyBundleFile(input) {
  const { sha256, size } = await sha256File(input.file);
  if (input.checksum) {
    const expected = input.checksum
      .trim()
      .toLowerCase()
      .replace(/^sha256:/, "");
    if (expected !== sha256)
      throw new VerificationError("checksum", `file is sha256:${sha256}, expected sha256:${expected}`);
  }
  const signature = Buffer.from(input.signature.trim(), "base64");
  if (signature.length !== 64)
    throw new VerificationError("signature", `expected 64 bytes of base64, got ${signature.length}`);
  // Pure Ed25519 needs the whole message: the file is read into memory for this one check.
  const ok = verifySignature(null, await readFile(input.file), publicKeyFromBase64(input.publicKey), signature);
  if (!ok) throw new VerificationError("signature", "the Ed25519 signature does not verify with this public key");
  return { sha256, size };
}

/** A safe relative path inside the bundle, or an error naming the entry. @param {string} name */
function safePath(name) {
  const path = name.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  if (path === "" || path === ".") return null;
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path))
    throw new VerificationError("unpack", `absolute path ${JSON.stringify(name)}`);
  if (path.includes("\\") || path.includes("\0"))
    throw new VerificationError("unpack", `bad characters in ${JSON.stringify(name)}`);
  if (path.split("/").some((part) => part === ".." || part === "")) {
    throw new VerificationError("unpack", `path traversal in ${JSON.stringify(name)}`);
  }
  return path;
}

/** @param {Buffer} block @param {number} start @param {number} length */
function text(block, start, length) {
  const end = block.indexOf(0, start);
  return block.toString("utf8", start, end === -1 || end > start + length ? start + length : end);
}

/** @param {Buffer} field */
function octal(field) {
  // GNU base-256 for large sizes: high bit set on the first byte.
  if ((field[0] ?? 0) & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const digits = field.toString("ascii").replace(/\0.*$/s, "").trim();
  return digits === "" ? 0 : parseInt(digits, 8);
}

/** @param {Buffer} data */
function parsePax(data) {
  /** @type {Record<string, string>} */
  const records = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = parseInt(data.toString("ascii", offset, space), 10);
    if (!(length > 0)) break;
    const record = data.toString("utf8", space + 1, offset + length - 1);
    const equals = record.indexOf("=");
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return records;
}

/**
 * Unpack a tar.gz into `dir`, streamed; refuses anything but files and folders inside `dir`.
 * @param {string} file @param {string} dir @param {{ maxBytes?: number, maxEntries?: number }} [limits]
 * @returns {Promise<string[]>} the files written (relative paths)
 */
export async function unpackBundle(file, dir, limits = {}) {
  const maxBytes = limits.maxBytes ?? 8 * 1024 ** 3;
  const maxEntries = limits.maxEntries ?? 10_000;
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const written = [];
  let buffer = Buffer.alloc(0);
  let total = 0;
  /** @type {{ path?: string, size?: number }} */
  let pending = {};
  /** @type {null | { kind: "file" | "skip" | "meta", remaining: number, padding: number, out?: import("node:fs").WriteStream, meta?: Buffer[], type?: string }} */
  let current = null;
  let ended = false;

  const gunzip = createReadStream(file).pipe(createGunzip());
  for await (const chunk of gunzip) {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      if (current) {
        if (current.remaining > 0) {
          if (buffer.length === 0) break;
          const take = Math.min(current.remaining, buffer.length);
          const part = buffer.subarray(0, take);
          if (current.kind === "file" && current.out && !current.out.write(part)) {
            await new Promise((done) => current?.out?.once("drain", done));
          }
          if (current.kind === "meta") current.meta?.push(Buffer.from(part));
          current.remaining -= take;
          buffer = buffer.subarray(take);
          if (current.remaining > 0) break;
        }
        if (buffer.length < current.padding) break;
        buffer = buffer.subarray(current.padding);
        if (current.kind === "file" && current.out) {
          const out = current.out;
          await new Promise((done, fail) =>
            out.end((/** @type {Error | undefined} */ error) => (error ? fail(error) : done(undefined))),
          );
        }
        if (current.kind === "meta" && current.meta) {
          const data = Buffer.concat(current.meta);
          if (current.type === "x") {
            const pax = parsePax(data);
            if (pax.path !== undefined) pending.path = pax.path;
            if (pax.size !== undefined) pending.size = Number(pax.size);
          } else if (current.type === "L") pending.path = data.toString("utf8").replace(/\0+$/, "");
        }
        current = null;
      }
      if (ended || buffer.length < 512) break;
      const header = buffer.subarray(0, 512);
      buffer = buffer.subarray(512);
      if (header.every((byte) => byte === 0)) {
        ended = true;
        break;
      }
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
      if (sum !== octal(header.subarray(148, 156)))
        throw new VerificationError("unpack", "a tar header checksum does not match");
      const type = String.fromCharCode(header[156] || 48);
      const prefix = text(header, 345, 155);
      const name = pending.path ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
      const size = pending.size ?? octal(header.subarray(124, 136));
      const padding = (512 - (size % 512)) % 512;
      if (type === "x" || type === "L") {
        if (size > 1024 * 1024) throw new VerificationError("unpack", "an extended header is too large");
        current = { kind: "meta", remaining: size, padding, meta: [], type };
        continue;
      }
      pending = {};
      if (type === "g") {
        current = { kind: "skip", remaining: size, padding };
        continue;
      }
      const path = safePath(name);
      if (type === "5") {
        if (path) await mkdir(join(root, path), { recursive: true });
        current = { kind: "skip", remaining: size, padding };
        continue;
      }
      if (type !== "0" && type !== "7") {
        throw new VerificationError(
          "unpack",
          `entry ${JSON.stringify(name)} is a ${type === "1" || type === "2" ? "link" : "special file"}; bundles hold files only`,
        );
      }
      if (!path) throw new VerificationError("unpack", "an entry has an empty name");
      if (written.length >= maxEntries) throw new VerificationError("unpack", `more than ${maxEntries} entries`);
      total += size;
      if (total > maxBytes) throw new VerificationError("unpack", `more than ${maxBytes} bytes unpacked`);
      const target = resolve(root, path);
      if (!target.startsWith(root + sep))
        throw new VerificationError("unpack", `entry ${JSON.stringify(name)} leaves the folder`);
      await mkdir(dirname(target), { recursive: true });
      written.push(path);
      current = { kind: "file", remaining: size, padding, out: createWriteStream(target, { flags: "wx" }) };
    }
  }
  if (current && (current.remaining > 0 || current.kind === "file"))
    throw new VerificationError("unpack", "the archive ends in the middle of an entry");
  return written;
}

/**
 * Check an unpacked bundle: manifest.json at the root, each listed file's SHA-256 and size, every required file present.
 * @param {string} dir
 */
export async function checkUnpacked(dir) {
  let manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
  } catch (error) {
    throw new VerificationError(
      "manifest",
      `manifest.json at the root is missing or not JSON (${/** @type {Error} */ (error).message})`,
    );
  }
  if (typeof manifest?.version !== "string") throw new VerificationError("manifest", "manifest.json has no version");
  for (const file of manifest.files ?? []) {
    const path = safePath(String(file.path));
    if (!path) throw new VerificationError("manifest", "a listed file has an empty path");
    const found = await sha256File(join(dir, path)).catch(() => null);
    if (!found) throw new VerificationError("files", `${path} is listed in manifest.json but missing`);
    if (found.sha256 !== file.sha256 || found.size !== file.size_bytes) {
      throw new VerificationError(
        "files",
        `${path} does not match manifest.json (sha256:${found.sha256}, ${found.size} bytes)`,
      );
    }
  }
  for (const required of manifest.required_files ?? []) {
    const present = await stat(join(dir, String(required))).then(
      (info) => info.isFile(),
      () => false,
    );
    if (!present) throw new VerificationError("files", `required file ${required} is missing`);
  }
  return manifest;
}

/** A value given inline, as @file, or as a URL. @param {string} value */
async function argumentValue(value) {
  if (value.startsWith("@")) return (await readFile(value.slice(1), "utf8")).trim();
  if (/^https?:\/\//.test(value)) {
    const response = await fetch(value);
    if (!response.ok) throw new VerificationError("public_key", `${value} answered ${response.status}`);
    const body = (await response.text()).trim();
    return body.startsWith("{") ? JSON.parse(body).public_key : body;
  }
  return value;
}

/**
 * Read a registry.json index as the field runtime does and download its latest version.
 * @param {string} url @param {string} modelId @param {string} into
 */
export async function downloadFromIndex(url, modelId, into) {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new VerificationError("index", `${url} answered ${response.status}`);
  if (!(response.headers.get("content-type") ?? "").startsWith("application/json")) {
    throw new VerificationError(
      "index",
      `the index is served as ${response.headers.get("content-type")}, not application/json`,
    );
  }
  const index = await response.json();
  const model = index?.models?.[modelId];
  if (!model)
    throw new VerificationError(
      "index",
      `the index lists no model "${modelId}" (models: ${Object.keys(index?.models ?? {}).join(", ") || "none"})`,
    );
  const entry = model.versions?.[model.latest_version];
  if (!entry) throw new VerificationError("index", `latest_version ${model.latest_version} has no entry`);
  const download = await fetch(entry.download_url);
  if (download.status !== 200 || !download.body)
    throw new VerificationError("download", `${entry.download_url} answered ${download.status}`);
  const file = join(into, `${model.latest_version}.bundle`);
  await pipeline(download.body, createWriteStream(file));
  return { file, version: model.latest_version, checksum: entry.checksum, signature: entry.signature };
}

/** @param {string[]} argv */
export async function main(argv) {
  /** @type {Record<string, string>} */
  const options = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg.startsWith("--")) options[arg.slice(2)] = argv[++i] ?? "";
    else positional.push(arg);
  }
  if (!options["public-key"] || (!options.index && (!positional[0] || !options.signature))) {
    process.stderr.write(
      "usage: node ota-verify.mjs <bundle> --signature <base64|@file> --public-key <base64|@file|URL> [--checksum sha256:<hex>] [--extract <dir>]\n" +
        "       node ota-verify.mjs --index <registry.json URL> [--model-id seed] --public-key <…> [--extract <dir>]\n",
    );
    return 2;
  }
  const work = await mkdtemp(join(tmpdir(), "ota-verify-"));
  const result = {
    ok: false,
    step: "",
    file: "",
    version: null,
    sha256: null,
    size_bytes: null,
    files: /** @type {string[]} */ ([]),
  };
  try {
    const publicKey = await argumentValue(options["public-key"]);
    let file = positional[0] ?? "";
    let signature = options.signature ? await argumentValue(options.signature) : "";
    let checksum = options.checksum ?? null;
    if (options.index) {
      const fetched = await downloadFromIndex(options.index, options["model-id"] || "seed", work);
      ({ file, signature, checksum } = fetched);
    }
    result.file = file;
    const { sha256, size } = await verifyBundleFile({ file, signature, publicKey, checksum });
    Object.assign(result, { sha256: `sha256:${sha256}`, size_bytes: size });
    const dir = options.extract ? resolve(options.extract) : join(work, "unpacked");
    result.files = await unpackBundle(file, dir);
    const manifest = await checkUnpacked(dir);
    Object.assign(result, { ok: true, step: "done", version: manifest.version });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    result.step = error instanceof VerificationError ? error.step : "error";
    process.stdout.write(`${JSON.stringify({ ...result, error: /** @type {Error} */ (error).message }, null, 2)}\n`);
    return error instanceof VerificationError ? 1 : 2;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
