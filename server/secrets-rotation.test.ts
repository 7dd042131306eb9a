import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/env";
import { listOtaPublicKeys, otaPublicKeyById } from "@/lib/ota/signing-key";
import { loadSecrets, rotateOtaSigningKey } from "./secrets";

describe("OTA key rotation on the embedded default", () => {
  const dir = mkdtempSync(join(tmpdir(), "ota-rotate-"));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("signs with a new key and keeps the old public key for verification", () => {
    const env = { CONTINUON_DATA_DIR: dir };
    const before = loadSecrets(loadConfig(env), env);
    const oldRaw = Buffer.from(listOtaPublicKeys(before)[0]!.public_key, "base64");
    const rotated = rotateOtaSigningKey(dir);
    expect(rotated.previousKeyId).toBe(before.otaSigningKey.keyId);
    expect(rotated.keyId).not.toBe(rotated.previousKeyId);
    expect(statSync(join(dir, "secrets.json")).mode & 0o777).toBe(0o600);
    const after = loadSecrets(loadConfig(env), env);
    expect(after.otaSigningKey.keyId).toBe(rotated.keyId);
    expect(Buffer.from(otaPublicKeyById(after, rotated.previousKeyId)!)).toEqual(oldRaw);
    expect(listOtaPublicKeys(after).map((key) => [key.key_id, key.status])).toEqual([
      [rotated.keyId, "current"],
      [rotated.previousKeyId, "previous"],
    ]);
    expect(JSON.parse(readFileSync(join(dir, "secrets.json"), "utf8")).nextauth_secret).toBe(before.nextAuthSecret);
  });
});
