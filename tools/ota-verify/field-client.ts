/**
 * A robot-side OTA client written to the rules of the robot runtime in the field
 * (see /docs/ota/robot-api, "Pointing a field robot at its index"), for tests and as a reference:
 *
 * - poll one index URL with a plain GET, no credentials, 30 s timeout; an answer that is not
 *   `application/json` means "no update", silently;
 * - parse the entry's `created_at` as Python 3.10's `datetime.fromisoformat` does (no `Z`);
 * - look up the configured model id (default `seed`); offer an update when `latest_version` is
 *   newer than the installed one (from `current/manifest.json`, else `0.0.0`) and the runtime's
 *   own version (default `0.1.0`) is at least `min_brain_version`; versions are three integers and
 *   anything else (`v1.0.1`, `1.0.0-rc1`) reads as `0.0.0`;
 * - download (must answer 200, streamed), SHA-256 must equal `checksum` (`sha256:` optional); when
 *   it has the platform's public key, the Ed25519 signature (standard base64) over the whole file
 *   must verify with the raw 32-byte key;
 * - unpack the tar.gz (refusing path traversal), require `manifest.json` at the root, move
 *   `current/` to `rollback/` and the new bundle into `current/`, check `manifest.json` and
 *   `required_files[]`, and roll back on failure. It never reports back.
 *
 * It shares no code with the platform or with `ota-verify.mjs`, so each checks the other.
 */
import { createHash, createPublicKey, verify } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";

export interface FieldClientOptions {
  indexUrl: string;
  /** The folder holding `current/` and `rollback/`. */
  root: string;
  modelId?: string;
  runtimeVersion?: string;
  /** The platform's raw 32-byte Ed25519 public key; without it signatures are not checked (as in the field). */
  publicKey?: Uint8Array | null;
  fetch?: typeof fetch;
}

export type FieldPollResult =
  | { status: "no_update"; reason: string }
  | { status: "updated"; version: string; previous: string }
  | { status: "refused"; version: string; step: string; reason: string };

/** Three integers, or [0, 0, 0]. */
export function runtimeVersion(value: unknown): [number, number, number] {
  if (typeof value !== "string") return [0, 0, 0];
  const parts = value.split(".");
  if (parts.length !== 3 || !parts.every((part) => /^\d+$/.test(part))) return [0, 0, 0];
  return parts.map(Number) as [number, number, number];
}

/**
 * Python 3.10's `datetime.fromisoformat` grammar: `YYYY-MM-DD[*HH[:MM[:SS[.fff[fff]]]][+HH:MM[:SS[.ffffff]]]]`,
 * no `Z` (accepted only from 3.11). True when a 3.10 robot can parse the value.
 */
export function fromIsoFormatPy310(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const grammar =
    /^\d{4}-\d{2}-\d{2}(.\d{2}(:\d{2}(:\d{2}(\.(\d{3}|\d{6}))?)?)?([+-]\d{2}:\d{2}(:\d{2}(\.\d{6})?)?)?)?$/;
  return grammar.test(value) && !Number.isNaN(new Date(value).getTime());
}

function newer(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

class Refused extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

export class FieldRuntimeClient {
  private readonly options: Required<Omit<FieldClientOptions, "publicKey">> & { publicKey: Uint8Array | null };

  constructor(options: FieldClientOptions) {
    this.options = {
      modelId: "seed",
      runtimeVersion: "0.1.0",
      fetch: globalThis.fetch,
      ...options,
      publicKey: options.publicKey ?? null,
      root: resolve(options.root),
    };
  }

  get currentDir(): string {
    return join(this.options.root, "current");
  }

  /** The installed version: `current/manifest.json`'s `version`, else 0.0.0. */
  async installedVersion(): Promise<string> {
    try {
      const manifest = JSON.parse(await readFile(join(this.currentDir, "manifest.json"), "utf8")) as {
        version?: unknown;
      };
      return runtimeVersion(manifest.version).join(".");
    } catch {
      return "0.0.0";
    }
  }

  /** One poll: read the index, and update when it offers something newer. */
  async poll(): Promise<FieldPollResult> {
    const response = await this.options.fetch(this.options.indexUrl, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) return { status: "no_update", reason: `index answered ${response.status}` };
    const type = response.headers.get("content-type") ?? "";
    if (!type.startsWith("application/json")) return { status: "no_update", reason: `index served as ${type}` };
    const index = (await response.json()) as {
      models?: Record<string, { latest_version?: string; versions?: Record<string, Record<string, unknown>> }>;
    };
    const model = index.models?.[this.options.modelId];
    if (!model) return { status: "no_update", reason: `no model ${this.options.modelId}` };
    const installed = await this.installedVersion();
    const latest = runtimeVersion(model.latest_version);
    if (newer(latest, runtimeVersion(installed)) <= 0) return { status: "no_update", reason: "up to date" };
    const entry = model.versions?.[String(model.latest_version)];
    if (!entry) return { status: "no_update", reason: "no entry for latest_version" };
    if (newer(runtimeVersion(this.options.runtimeVersion), runtimeVersion(entry.min_brain_version ?? "0.0.0")) < 0) {
      return { status: "no_update", reason: `needs runtime ${String(entry.min_brain_version)}` };
    }
    // The updater parses `created_at` with `datetime.fromisoformat`; on Python 3.10 (the field's
    // Jetson images) a trailing `Z` raises, and the robot sees no update.
    if (!fromIsoFormatPy310(entry.created_at)) {
      return { status: "no_update", reason: `created_at unreadable: ${String(entry.created_at)}` };
    }
    const version = latest.join(".");
    try {
      await this.install(entry, version);
      return { status: "updated", version, previous: installed };
    } catch (error) {
      if (error instanceof Refused) return { status: "refused", version, step: error.step, reason: error.message };
      throw error;
    }
  }

  private async install(entry: Record<string, unknown>, version: string): Promise<void> {
    const root = this.options.root;
    await mkdir(root, { recursive: true });
    const file = join(root, "download.bundle");
    const staging = join(root, "staging");
    await rm(staging, { recursive: true, force: true });
    const download = await this.options.fetch(String(entry.download_url));
    if (download.status !== 200 || !download.body)
      throw new Refused("download", `download answered ${download.status}`);
    const hash = createHash("sha256");
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    await pipeline(
      Readable.fromWeb(download.body as import("node:stream/web").ReadableStream),
      tap,
      createWriteStream(file),
    );
    const expected = String(entry.checksum ?? "")
      .toLowerCase()
      .replace(/^sha256:/, "");
    if (hash.digest("hex") !== expected) throw new Refused("checksum", "SHA-256 does not match the index's checksum");
    if (this.options.publicKey) {
      const key = createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(this.options.publicKey).toString("base64url") },
        format: "jwk",
      });
      const signature = Buffer.from(String(entry.signature ?? ""), "base64");
      if (signature.length !== 64 || !verify(null, await readFile(file), key, signature)) {
        throw new Refused("signature", "the Ed25519 signature does not verify");
      }
    }
    await this.unpack(file, staging);
    try {
      await stat(join(staging, "manifest.json"));
    } catch {
      await rm(staging, { recursive: true, force: true });
      throw new Refused("manifest", "manifest.json is not at the bundle's root");
    }
    // Swap: current → rollback, staging → current; then check, and roll back on failure.
    const rollback = join(root, "rollback");
    await rm(rollback, { recursive: true, force: true });
    const hadCurrent = await stat(this.currentDir).then(
      () => true,
      () => false,
    );
    if (hadCurrent) await rename(this.currentDir, rollback);
    await rename(staging, this.currentDir);
    try {
      const manifest = JSON.parse(await readFile(join(this.currentDir, "manifest.json"), "utf8")) as {
        version?: unknown;
        required_files?: unknown[];
      };
      if (runtimeVersion(manifest.version).join(".") !== version)
        throw new Error(`manifest says ${String(manifest.version)}`);
      for (const required of manifest.required_files ?? []) await stat(join(this.currentDir, String(required)));
    } catch (error) {
      await rm(this.currentDir, { recursive: true, force: true });
      if (hadCurrent) await rename(rollback, this.currentDir);
      throw new Refused("install", `rolled back: ${(error as Error).message}`);
    }
    await rm(file, { force: true });
  }

  private async unpack(file: string, into: string): Promise<void> {
    const root = resolve(into);
    await mkdir(root, { recursive: true });
    const extract = tar.extract();
    const source = Readable.from(await readFile(file)).pipe(createGunzip());
    source.pipe(extract);
    for await (const entry of extract) {
      const name = entry.header.name;
      const target = resolve(root, name);
      if (name.startsWith("/") || (target !== root && !target.startsWith(root + sep))) {
        entry.resume();
        throw new Refused("unpack", `path traversal: ${name}`);
      }
      if (entry.header.type === "directory") {
        await mkdir(target, { recursive: true });
        entry.resume();
        continue;
      }
      if (entry.header.type !== "file") {
        entry.resume();
        throw new Refused("unpack", `not a file: ${name}`);
      }
      await mkdir(dirname(target), { recursive: true });
      const chunks: Buffer[] = [];
      for await (const chunk of entry as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
      await writeFile(target, Buffer.concat(chunks));
    }
  }
}
