import { DomainError } from "@/lib/errors";
import type { UnpackReason } from "@/lib/rlds/issue-codes";

/** The subset of limits path checks need. */
export interface PathLimits {
  maxPathBytes: number;
  maxPathDepth: number;
}

/** Throw the archive refusal every reader uses: code `invalid`, a message naming the entry, a stable reason. */
export function refuseEntry(reason: UnpackReason, entry: string, why: string): never {
  throw new DomainError("invalid", `Archive entry "${printable(entry)}" refused: ${why}.`, { reason });
}

/** Refuse the archive as a whole (no single entry to blame). */
export function refuseArchive(reason: UnpackReason, why: string): never {
  throw new DomainError(reason === "object_too_large" ? "too_large" : "invalid", `Archive refused: ${why}.`, {
    reason,
  });
}

// Control characters (NUL included) never belong in a path; shown as `?` in messages.
const CONTROL = /[\u0000-\u001f\u007f]/g;

function printable(path: string): string {
  const clean = path.replace(CONTROL, "?");
  return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean;
}

/**
 * Turn an archive entry name into a safe relative path (`a/b/c`), or refuse it.
 *
 * Refused: absolute paths (`/x`, `C:/x`, `//host/x`), any `..` segment (zip slip / tar `../`, even
 * when it would stay inside the root: no archive written by a robot needs one), backslashes (a
 * Windows separator that other tools would turn into `..\`), control characters, and paths over
 * the length or depth caps. Accepted and normalized: `./` prefixes, `.` segments, repeated
 * slashes, a trailing `/` (directories). Returns `""` for the archive root itself (`./`).
 */
export function normalizeEntryPath(raw: string, limits: PathLimits): string {
  if (raw.includes("\\")) refuseEntry("backslash_path", raw, "the path holds a backslash");
  if (/[\u0000-\u001f\u007f]/.test(raw)) refuseEntry("invalid_path", raw, "the path holds a control character");
  if (Buffer.byteLength(raw, "utf8") > limits.maxPathBytes) {
    refuseEntry("invalid_path", raw, `the path is longer than ${limits.maxPathBytes} bytes`);
  }
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) refuseEntry("absolute_path", raw, "the path is absolute");
  const segments: string[] = [];
  for (const segment of raw.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") refuseEntry("path_traversal", raw, 'the path has a ".." segment');
    segments.push(segment);
  }
  if (segments.length > limits.maxPathDepth) {
    refuseEntry("invalid_path", raw, `the path is deeper than ${limits.maxPathDepth} segments`);
  }
  return segments.join("/");
}
