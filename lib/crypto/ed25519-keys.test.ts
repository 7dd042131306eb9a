import { generateKeyPairSync, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import example from "./__fixtures__/heartbeat-signature-example.json";
import {
  exportPrivateKeyPem,
  exportPublicKeyBytes,
  exportPublicKeyRaw,
  generateEd25519KeyPair,
  importPrivateKeyPem,
  importPublicKeyRaw,
  keyFingerprint,
} from "./ed25519-keys";

function caught(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, nothing was thrown");
}

describe("Ed25519 key round trips", () => {
  it("public key: KeyObject → base64url raw → KeyObject", () => {
    const { publicKey, privateKey } = generateEd25519KeyPair();
    const raw = exportPublicKeyRaw(publicKey);
    expect(raw).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(exportPublicKeyRaw(privateKey)).toBe(raw);
    const imported = importPublicKeyRaw(raw);
    const message = Buffer.from("hello");
    expect(verify(null, message, imported, sign(null, message, privateKey))).toBe(true);
    expect(exportPublicKeyBytes(imported)).toHaveLength(32);
  });

  it("accepts padded base64url", () => {
    const raw = exportPublicKeyRaw(generateEd25519KeyPair().publicKey);
    expect(exportPublicKeyRaw(importPublicKeyRaw(`${raw}=`))).toBe(raw);
  });

  it("private key: KeyObject → PKCS#8 PEM → KeyObject", () => {
    const { privateKey } = generateEd25519KeyPair();
    const pem = exportPrivateKeyPem(privateKey);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(exportPublicKeyRaw(importPrivateKeyPem(pem))).toBe(exportPublicKeyRaw(privateKey));
  });

  it("the fixture key pair matches its documented public key", () => {
    expect(exportPublicKeyRaw(importPrivateKeyPem(example.robot.private_key_pem))).toBe(example.robot.public_key);
  });
});

describe("importPublicKeyRaw refuses", () => {
  it.each([
    {
      name: "standard base64 characters",
      input: "4CltzmNqWSqcZAN90AoTBEtWkPj0rOAtaGAskl2VSr+/",
      message: "must be base64url",
    },
    { name: "31 bytes", input: Buffer.alloc(31, 1).toString("base64url"), message: "must encode 32 bytes, got 31" },
    { name: "33 bytes", input: Buffer.alloc(33, 1).toString("base64url"), message: "got 33" },
    { name: "an empty string", input: "", message: "got 0" },
    { name: "a PEM", input: "-----BEGIN PUBLIC KEY-----", message: "must be base64url" },
    { name: "a number", input: 42 as unknown as string, message: "must be a string" },
  ])("$name", ({ input, message }) => {
    const error = caught(() => importPublicKeyRaw(input));
    expect([error.code, error.reason]).toEqual(["invalid", "invalid_public_key"]);
    expect(error.message).toContain("public_key");
    expect(error.message).toContain(message);
  });
});

describe("importPrivateKeyPem refuses", () => {
  it.each([
    { name: "garbage", input: "not a key", message: "not a PEM private key" },
    {
      name: "a public key PEM",
      input: generateEd25519KeyPair().publicKey.export({ format: "pem", type: "spki" }).toString(),
      message: "not a PEM private key",
    },
    {
      name: "an EC key",
      input: generateKeyPairSync("ec", { namedCurve: "P-256" })
        .privateKey.export({ format: "pem", type: "pkcs8" })
        .toString(),
      message: "must be Ed25519, got ec",
    },
  ])("$name", ({ input, message }) => {
    const error = caught(() => importPrivateKeyPem(input));
    expect([error.code, error.reason]).toEqual(["invalid", "invalid_private_key"]);
    expect(error.message).toContain(message);
  });

  it("exportPrivateKeyPem refuses a public key", () => {
    expect(caught(() => exportPrivateKeyPem(generateEd25519KeyPair().publicKey)).reason).toBe("invalid_key");
  });
});

describe("keyFingerprint", () => {
  it("is SHA-256 of the raw key, first 16 bytes, hex pairs joined by colons", () => {
    expect(keyFingerprint(example.robot.public_key)).toBe(example.robot.public_key_fingerprint);
    const raw = new Uint8Array(Buffer.from(example.robot.public_key, "base64url"));
    expect(keyFingerprint(raw)).toBe(example.robot.public_key_fingerprint);
    expect(keyFingerprint(importPublicKeyRaw(example.robot.public_key))).toBe(example.robot.public_key_fingerprint);
    expect(keyFingerprint(importPrivateKeyPem(example.robot.private_key_pem))).toBe(
      example.robot.public_key_fingerprint,
    );
  });

  it("has 16 lowercase hex pairs", () => {
    expect(keyFingerprint(generateEd25519KeyPair().publicKey)).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){15}$/);
  });

  it("of the all-zero key is fixed", () => {
    // sha256(32 zero bytes) = 66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925
    expect(keyFingerprint(new Uint8Array(32))).toBe("66:68:7a:ad:f8:62:bd:77:6c:8f:c1:8b:8e:9f:8e:20");
  });

  it("refuses raw bytes of the wrong length", () => {
    expect(caught(() => keyFingerprint(new Uint8Array(31))).reason).toBe("invalid_public_key");
  });
});
