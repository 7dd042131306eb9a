/** Types for `ota-verify.mjs` (a dependency-free script robot makers run as is). */
import type { KeyObject } from "node:crypto";

export class VerificationError extends Error {
  readonly step: string;
  constructor(step: string, message: string);
}
export function publicKeyFromBase64(base64: string): KeyObject;
export function sha256File(file: string): Promise<{ sha256: string; size: number }>;
export function verifyBundleFile(input: {
  file: string;
  signature: string;
  publicKey: string;
  checksum?: string | null;
}): Promise<{ sha256: string; size: number }>;
export function unpackBundle(
  file: string,
  dir: string,
  limits?: { maxBytes?: number; maxEntries?: number },
): Promise<string[]>;
export function checkUnpacked(dir: string): Promise<{ version: string; [key: string]: unknown }>;
export function downloadFromIndex(
  url: string,
  modelId: string,
  into: string,
): Promise<{ file: string; version: string; checksum: string; signature: string }>;
export function main(argv: string[]): Promise<number>;
