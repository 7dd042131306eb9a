import { generateKeyPairSync, type KeyObject } from "node:crypto";

/** A service account made up for one test run: its private key never leaves the process. */
export interface TestServiceAccount {
  client_email: string;
  /** PKCS#8 PEM, as in a service-account JSON key. */
  private_key: string;
  publicKey: KeyObject;
}

/**
 * Generate a throwaway RSA-2048 key pair for a test service account. The test server verifies
 * V4 signatures with `publicKey`; the client signs with `private_key`.
 */
export function createTestServiceAccount(
  clientEmail = "blob-signer@demo-test.iam.gserviceaccount.com",
): TestServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    client_email: clientEmail,
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey,
  };
}
