import { DomainError } from "@/lib/errors";

const MAX_KEY_BYTES = 1024;
// Control characters (incl. NUL) never belong in a key.
const CONTROL = /[\u0000-\u001f\u007f]/;

function refuse(key: string, why: string): never {
  throw new DomainError("invalid", `Blob key "${key.replace(CONTROL, "?").slice(0, 120)}" is not valid: ${why}.`, {
    reason: "invalid_blob_key",
  });
}

/**
 * The one place blob keys are checked, for every adapter: relative, `/`-separated, no empty, `.`
 * or `..` segments, no backslashes, no control characters, at most 1024 bytes. The local-disk
 * adapter re-checks that the resolved path stays under its root as a second line.
 */
export function assertValidBlobKey(key: string): string {
  if (typeof key !== "string" || key.length === 0) refuse(String(key), "it is empty");
  if (Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES) refuse(key, "it is longer than 1024 bytes");
  if (CONTROL.test(key)) refuse(key, "it holds a control character");
  if (key.includes("\\")) refuse(key, "it holds a backslash");
  if (key.startsWith("/")) refuse(key, "it is absolute");
  for (const segment of key.split("/")) {
    if (segment === "") refuse(key, "it has an empty segment");
    if (segment === "." || segment === "..") refuse(key, `it has a "${segment}" segment`);
  }
  return key;
}

/** A listing prefix: empty, or a valid key optionally ending in `/`. */
export function assertValidBlobPrefix(prefix: string): string {
  if (prefix === "") return prefix;
  assertValidBlobKey(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** Join validated segments into a key (each segment is checked, so ids cannot smuggle `/`). */
export function blobKey(...segments: string[]): string {
  for (const segment of segments) {
    if (segment.includes("/")) refuse(segments.join("/"), `segment "${segment}" holds a slash`);
  }
  return assertValidBlobKey(segments.join("/"));
}
