import { createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Secrets } from "@/lib/context";
import type { AppConfig } from "@/lib/env";

const ZSecretsFile = z.object({
  nextauth_secret: z.string().min(32),
  blob_signing_secret: z.string().min(32),
  token_secret: z.string().min(32),
  ota_signing_key_pem: z.string(),
  ota_signing_key_id: z.string(),
  ota_previous_public_keys: z.record(z.string(), z.string()).default({}),
});
type SecretsFile = z.infer<typeof ZSecretsFile>;

export interface ServerSecrets extends Secrets {
  nextAuthSecret: string;
  blobSigningSecret: string;
}

/** Accept a PEM, or a PEM in base64 (what fits in one env var line). */
function pemFrom(value: string): string {
  return value.includes("-----BEGIN") ? value : Buffer.from(value, "base64").toString("utf8");
}

/** Key id: the first 8 bytes of the SHA-256 of the raw public key, hex (stable for a key). */
export function otaKeyIdFor(privateKeyPem: string): string {
  const raw = createPublicKey(privateKeyPem).export({ format: "jwk" }).x as string;
  return `ota-${Buffer.from(raw, "base64url").toString("hex").slice(0, 16)}`;
}

function generate(): SecretsFile {
  const pem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  return {
    nextauth_secret: randomBytes(32).toString("base64url"),
    blob_signing_secret: randomBytes(32).toString("base64url"),
    token_secret: randomBytes(32).toString("base64url"),
    ota_signing_key_pem: pem,
    ota_signing_key_id: otaKeyIdFor(pem),
    ota_previous_public_keys: {},
  };
}

/**
 * Secrets for this deployment. Env wins (the cloud's Secret Manager mounts them as env). On the
 * embedded default, missing ones are generated once into `<data dir>/secrets.json` with 0600
 * permissions (created exclusively, so two processes starting together agree); nothing is ever
 * shipped in the code.
 */
export function loadSecrets(config: AppConfig, env: Record<string, string | undefined>): ServerSecrets {
  let file: SecretsFile | undefined;
  const needFile = !(
    config.secrets.nextAuthSecret &&
    config.secrets.blobSigningSecret &&
    config.secrets.otaSigningKey &&
    env.TOKEN_SECRET
  );
  if (needFile) {
    mkdirSync(config.dataDir, { recursive: true });
    const path = join(config.dataDir, "secrets.json");
    try {
      writeFileSync(path, JSON.stringify(generate(), null, 2), { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    chmodSync(path, 0o600);
    file = ZSecretsFile.parse(JSON.parse(readFileSync(path, "utf8")));
  }
  const otaPem = config.secrets.otaSigningKey
    ? pemFrom(config.secrets.otaSigningKey)
    : (file as SecretsFile).ota_signing_key_pem;
  const previous = env.OTA_PREVIOUS_PUBLIC_KEYS
    ? z.record(z.string(), z.string()).parse(JSON.parse(env.OTA_PREVIOUS_PUBLIC_KEYS))
    : (file?.ota_previous_public_keys ?? {});
  return {
    nextAuthSecret: config.secrets.nextAuthSecret ?? (file as SecretsFile).nextauth_secret,
    blobSigningSecret: config.secrets.blobSigningSecret ?? (file as SecretsFile).blob_signing_secret,
    tokenSecret: env.TOKEN_SECRET ?? file?.token_secret ?? (config.secrets.nextAuthSecret as string),
    otaSigningKey: {
      privateKeyPem: otaPem,
      keyId:
        config.secrets.otaSigningKeyId ??
        (config.secrets.otaSigningKey ? otaKeyIdFor(otaPem) : (file as SecretsFile).ota_signing_key_id),
    },
    otaPreviousPublicKeys: previous,
  };
}

/**
 * Rotate the OTA signing key of an embedded deployment (`npm run ota:rotate-key`): a new Ed25519
 * key signs new bundles, and the old public key moves to `ota_previous_public_keys` so bundles it
 * signed still verify and are still offered. Written atomically (temp file + rename, 0600). In the
 * cloud, do the same with `OTA_SIGNING_KEY` / `OTA_PREVIOUS_PUBLIC_KEYS` in Secret Manager.
 */
export function rotateOtaSigningKey(dataDir: string): { previousKeyId: string; keyId: string } {
  const path = join(dataDir, "secrets.json");
  const current = ZSecretsFile.parse(JSON.parse(readFileSync(path, "utf8")));
  const raw = Buffer.from(
    createPublicKey(current.ota_signing_key_pem).export({ format: "jwk" }).x as string,
    "base64url",
  ).toString("base64");
  const pem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const next: SecretsFile = {
    ...current,
    ota_signing_key_pem: pem,
    ota_signing_key_id: otaKeyIdFor(pem),
    ota_previous_public_keys: { ...current.ota_previous_public_keys, [current.ota_signing_key_id]: raw },
  };
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(next, null, 2), { mode: 0o600 });
  renameSync(temporary, path);
  return { previousKeyId: current.ota_signing_key_id, keyId: next.ota_signing_key_id };
}
