import { generateKeyPairSync } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isDeviceId } from "@/lib/robots/ruri";
import { createRobotIdentity, DEVICE_KEY_FILE, IDENTITY_FILE, loadIdentity, saveIdentity } from "./identity";

let dir: string;

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), "robot-identity-")), "robot");
});

afterEach(async () => {
  await rm(join(dir, ".."), { recursive: true, force: true });
});

describe("createRobotIdentity", () => {
  it("defaults to a companion-v1 robot with a random 8-hex device id", () => {
    const a = createRobotIdentity();
    const b = createRobotIdentity();
    expect(a.ruri).toBe(`rcan://continuon.cloud/continuon/companion-v1/${a.deviceId}`);
    expect(isDeviceId(a.deviceId)).toBe(true);
    expect(a.deviceId).not.toBe(b.deviceId);
    expect(a.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("takes a RURI or parts", () => {
    expect(createRobotIdentity({ ruri: "rcan://fleet.example/acme/arm-2/0000beef:9090/arm" }).deviceId).toBe(
      "0000beef",
    );
    expect(createRobotIdentity({ manufacturer: "acme", model: "arm-2", deviceId: "0000beef" }).ruri).toBe(
      "rcan://continuon.cloud/acme/arm-2/0000beef",
    );
  });

  it("refuses an invalid RURI", () => {
    expect(() => createRobotIdentity({ ruri: "rcan://continuon.cloud/continuon/companion-v1/unknown" })).toThrow(
      'device_id "unknown"',
    );
  });
});

describe("saveIdentity / loadIdentity", () => {
  it("round-trips, with the key file at 0600 and the folder at 0700", async () => {
    const identity = createRobotIdentity();
    await saveIdentity(dir, identity);
    expect((await stat(join(dir, DEVICE_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(join(dir, IDENTITY_FILE), "utf8"))).toEqual({
      ruri: identity.ruri,
      device_id: identity.deviceId,
      public_key: identity.publicKey,
    });
    expect(await readFile(join(dir, DEVICE_KEY_FILE), "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const loaded = await loadIdentity(dir);
    expect({ ...loaded, privateKey: undefined }).toEqual({ ...identity, privateKey: undefined });
    expect(loaded.privateKey.export({ format: "jwk" })).toEqual(identity.privateKey.export({ format: "jwk" }));
  });

  it("refuses to overwrite an identity unless asked", async () => {
    await saveIdentity(dir, createRobotIdentity());
    await expect(saveIdentity(dir, createRobotIdentity())).rejects.toThrow("refusing to overwrite");
    const replacement = createRobotIdentity();
    await saveIdentity(dir, replacement, { overwrite: true });
    expect((await loadIdentity(dir)).deviceId).toBe(replacement.deviceId);
  });

  const corruptions: Array<{ name: string; corrupt: () => Promise<void>; message: string }> = [
    { name: "a missing folder", corrupt: () => rm(dir, { recursive: true }), message: "cannot read" },
    { name: "identity.json not JSON", corrupt: () => writeFile(join(dir, IDENTITY_FILE), "{"), message: "cannot read" },
    {
      name: "identity.json without public_key",
      corrupt: async () => {
        const file = JSON.parse(await readFile(join(dir, IDENTITY_FILE), "utf8"));
        delete file.public_key;
        await writeFile(join(dir, IDENTITY_FILE), JSON.stringify(file));
      },
      message: "public_key must be a string",
    },
    {
      name: "a device_id that is not the RURI's",
      corrupt: async () => {
        const file = JSON.parse(await readFile(join(dir, IDENTITY_FILE), "utf8"));
        await writeFile(join(dir, IDENTITY_FILE), JSON.stringify({ ...file, device_id: "0badc0de" }));
      },
      message: "does not match the RURI",
    },
    {
      name: "an invalid RURI",
      corrupt: async () => {
        const file = JSON.parse(await readFile(join(dir, IDENTITY_FILE), "utf8"));
        await writeFile(
          join(dir, IDENTITY_FILE),
          JSON.stringify({ ...file, ruri: "rcan://local.rcan/discovered/192.168.1.42:8080" }),
        );
      },
      message: "device_id is missing",
    },
    {
      name: "a public key of another robot",
      corrupt: async () => {
        const file = JSON.parse(await readFile(join(dir, IDENTITY_FILE), "utf8"));
        await writeFile(
          join(dir, IDENTITY_FILE),
          JSON.stringify({ ...file, public_key: createRobotIdentity().publicKey }),
        );
      },
      message: "public_key does not belong to device_key.pem",
    },
    {
      name: "a world-readable key file",
      corrupt: () => chmod(join(dir, DEVICE_KEY_FILE), 0o644),
      message: "chmod 600",
    },
    { name: "a missing key file", corrupt: () => rm(join(dir, DEVICE_KEY_FILE)), message: "cannot read" },
    {
      name: "a key file that is not PEM",
      corrupt: () => writeFile(join(dir, DEVICE_KEY_FILE), "garbage", { mode: 0o600 }),
      message: "not a PEM private key",
    },
    {
      name: "an EC key file",
      corrupt: () =>
        writeFile(
          join(dir, DEVICE_KEY_FILE),
          generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }),
          { mode: 0o600 },
        ),
      message: "must be Ed25519",
    },
  ];

  it.each(corruptions)("loadIdentity refuses $name", async ({ corrupt, message }) => {
    await saveIdentity(dir, createRobotIdentity());
    await corrupt();
    await expect(loadIdentity(dir)).rejects.toThrow(message);
  });
});
