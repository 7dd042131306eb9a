import { generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { rawPublicKeyOf, signEd25519Stream, verifyEd25519Stream } from "./ed25519-stream";

function chunks(data: Buffer, size: number) {
  return async function* () {
    for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
  };
}

describe("streaming Ed25519", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const raw = rawPublicKeyOf(privateKey);

  it.each([0, 1, 63, 64, 1000, 70_000])("signs %i bytes exactly as node:crypto does", async (length) => {
    const message = randomBytes(length);
    const { signature, bytes } = await signEd25519Stream(privateKey, chunks(message, 4096));
    expect(bytes).toBe(length);
    expect(Buffer.from(signature).toString("hex")).toBe(sign(null, message, privateKey).toString("hex"));
    expect(verify(null, message, publicKey, signature)).toBe(true);
    expect(await verifyEd25519Stream(raw, signature, chunks(message, 333))).toBe(true);
  });

  it("refuses a changed message, a changed signature, another key and S >= L", async () => {
    const message = randomBytes(5000);
    const { signature } = await signEd25519Stream(privateKey, chunks(message, 1024));
    const tampered = Buffer.from(message);
    tampered[4000] = (tampered[4000] as number) ^ 1;
    expect(await verifyEd25519Stream(raw, signature, chunks(tampered, 1024))).toBe(false);
    const badSignature = Buffer.from(signature);
    badSignature[10] = (badSignature[10] as number) ^ 0x80;
    expect(await verifyEd25519Stream(raw, badSignature, chunks(message, 1024))).toBe(false);
    const other = rawPublicKeyOf(generateKeyPairSync("ed25519").privateKey);
    expect(await verifyEd25519Stream(other, signature, chunks(message, 1024))).toBe(false);
    const highS = Buffer.from(signature);
    highS.fill(0xff, 32, 64);
    expect(await verifyEd25519Stream(raw, highS, chunks(message, 1024))).toBe(false);
    expect(await verifyEd25519Stream(raw.subarray(0, 31), signature, chunks(message, 1024))).toBe(false);
  });

  it("notices a stream that changes between the two signing passes", async () => {
    let pass = 0;
    const open = async function* () {
      pass++;
      yield Buffer.alloc(pass === 1 ? 10 : 11);
    };
    await expect(signEd25519Stream(privateKey, open)).rejects.toThrow(/changed between/);
  });
});
