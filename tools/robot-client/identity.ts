/**
 * A robot's identity and its folder on disk, kept the way a real robot keeps it:
 *
 * ```text
 * <dir>/                 mode 0700
 *   identity.json        {"ruri": "rcan://…/14d4b680", "device_id": "14d4b680", "public_key": "<base64url raw 32 bytes>"}
 *   device_key.pem       the Ed25519 private key, PKCS#8 PEM, mode 0600
 * ```
 *
 * The private key never leaves the folder; `public_key` is what registration sends. Loading checks
 * that the files agree (device_id matches the RURI, public key matches the private key) and, like
 * ssh, refuses a key file that group or others can read.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { chmod, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { formatRuri, parseRuri } from "@/lib/robots/ruri";

export const IDENTITY_FILE = "identity.json";
export const DEVICE_KEY_FILE = "device_key.pem";

/** A robot identity in memory. */
export interface RobotIdentity {
  ruri: string;
  deviceId: string;
  /** base64url (no padding) of the raw 32-byte Ed25519 public key. */
  publicKey: string;
  privateKey: KeyObject;
}

/** The public part written to `identity.json`. */
export interface IdentityFile {
  ruri: string;
  device_id: string;
  public_key: string;
}

function publicKeyOf(privateKey: KeyObject): string {
  const { x } = createPublicKey(privateKey).export({ format: "jwk" });
  if (!x) throw new Error("Ed25519 key has no public part");
  return x;
}

/**
 * Creates a new identity with a fresh key pair. Give a full `ruri`, or parts of one: by default a
 * `continuon/companion-v1` robot on `continuon.cloud` with a random 8-hex device id.
 */
export function createRobotIdentity(
  input: { ruri: string } | { registry?: string; manufacturer?: string; model?: string; deviceId?: string } = {},
): RobotIdentity {
  const ruri =
    "ruri" in input
      ? input.ruri
      : formatRuri({
          registry: input.registry ?? "continuon.cloud",
          manufacturer: input.manufacturer ?? "continuon",
          model: input.model ?? "companion-v1",
          deviceId: input.deviceId ?? randomBytes(4).toString("hex"),
        });
  const { deviceId } = parseRuri(ruri);
  const { privateKey } = generateKeyPairSync("ed25519");
  return { ruri, deviceId, publicKey: publicKeyOf(privateKey), privateKey };
}

/** Builds an identity from an existing private key (e.g. a test fixture). */
export function identityFromKey(ruri: string, privateKey: KeyObject): RobotIdentity {
  if (privateKey.asymmetricKeyType !== "ed25519" || privateKey.type !== "private") {
    throw new Error("identity needs an Ed25519 private key");
  }
  return { ruri, deviceId: parseRuri(ruri).deviceId, publicKey: publicKeyOf(privateKey), privateKey };
}

/** Writes `content` to `path` through a temporary file and a rename, so a crash never leaves half a key. */
async function writeAtomically(path: string, content: string, mode: number, overwrite: boolean): Promise<void> {
  if (!overwrite) {
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new Error(`${path} already exists; refusing to overwrite a robot identity`);
  }
  const temporary = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temporary, content, { mode, flag: "wx" });
  await chmod(temporary, mode); // the umask may have narrowed it; make it exact
  await rename(temporary, path);
}

/**
 * Saves an identity folder (`identity.json`, `device_key.pem` with mode 0600, folder 0700).
 * Refuses to replace an existing identity unless `overwrite` is set: losing a device key means
 * an admin must reset the robot.
 */
export async function saveIdentity(dir: string, identity: RobotIdentity, options: { overwrite?: boolean } = {}) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const overwrite = options.overwrite ?? false;
  const pem = identity.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const file: IdentityFile = { ruri: identity.ruri, device_id: identity.deviceId, public_key: identity.publicKey };
  await writeAtomically(join(dir, DEVICE_KEY_FILE), pem, 0o600, overwrite);
  await writeAtomically(join(dir, IDENTITY_FILE), `${JSON.stringify(file, null, 2)}\n`, 0o644, overwrite);
}

/** Loads and cross-checks an identity folder written by {@link saveIdentity} (or by a robot). */
export async function loadIdentity(dir: string): Promise<RobotIdentity> {
  const identityPath = join(dir, IDENTITY_FILE);
  const keyPath = join(dir, DEVICE_KEY_FILE);

  let file: Partial<IdentityFile>;
  try {
    file = JSON.parse(await readFile(identityPath, "utf8")) as Partial<IdentityFile>;
  } catch (error) {
    throw new Error(`cannot read ${identityPath}: ${(error as Error).message}`, { cause: error });
  }
  for (const field of ["ruri", "device_id", "public_key"] as const) {
    if (typeof file[field] !== "string") throw new Error(`${identityPath}: ${field} must be a string`);
  }
  const { ruri, device_id: deviceId, public_key: publicKey } = file as IdentityFile;
  if (parseRuri(ruri).deviceId !== deviceId) {
    throw new Error(`${identityPath}: device_id ${deviceId} does not match the RURI ${ruri}`);
  }

  const keyStat = await stat(keyPath).catch((error: unknown) => {
    throw new Error(`cannot read ${keyPath}: ${(error as Error).message}`, { cause: error });
  });
  if (process.platform !== "win32" && (keyStat.mode & 0o077) !== 0) {
    throw new Error(
      `${keyPath} is readable by others (mode ${(keyStat.mode & 0o777).toString(8)}); run chmod 600 on it`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: await readFile(keyPath, "utf8"), format: "pem" });
  } catch (error) {
    throw new Error(`${keyPath}: not a PEM private key`, { cause: error });
  }
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`${keyPath}: the device key must be Ed25519`);
  if (publicKeyOf(privateKey) !== publicKey.replace(/=+$/, "")) {
    throw new Error(`${identityPath}: public_key does not belong to ${DEVICE_KEY_FILE}`);
  }
  return { ruri, deviceId, publicKey: publicKeyOf(privateKey), privateKey };
}
