import semver from "semver";
import { DomainError } from "@/lib/errors";

/**
 * Versions as the robot runtime in the field reads them: exactly three non-negative integers,
 * `MAJOR.MINOR.PATCH`, no `v` prefix, no pre-release or build suffix. That client treats anything
 * else as `0.0.0`, so the platform refuses to publish such a version at all.
 */
const PLAIN_VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

export type PlainVersion = readonly [number, number, number];

/** The three integers of a plain version, or null when `value` is not one. */
export function parsePlainVersion(value: string): PlainVersion | null {
  const match = PLAIN_VERSION.exec(value);
  if (!match) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function isPlainVersion(value: string): boolean {
  return parsePlainVersion(value) !== null;
}

/** How the field runtime reads a version: plain, or `0.0.0` for anything else (`v1.0.1`, `1.0.0-rc1`). */
export function fieldVersion(value: string | null | undefined): PlainVersion {
  return (value ? parsePlainVersion(value.trim()) : null) ?? [0, 0, 0];
}

/** -1, 0 or 1, comparing as three integers. */
export function compareVersions(a: PlainVersion | string, b: PlainVersion | string): -1 | 0 | 1 {
  const left = typeof a === "string" ? fieldVersion(a) : a;
  const right = typeof b === "string" ? fieldVersion(b) : b;
  for (let i = 0; i < 3; i++) {
    const l = left[i] as number;
    const r = right[i] as number;
    if (l !== r) return l < r ? -1 : 1;
  }
  return 0;
}

/** Throw `invalid`/`invalid_version` naming the field unless `value` is a plain version. */
export function assertPlainVersion(value: string, field = "version"): string {
  if (!isPlainVersion(value)) {
    throw new DomainError(
      "invalid",
      `${field} "${value.slice(0, 40)}" is not a plain MAJOR.MINOR.PATCH version (e.g. 1.4.0); robots in the field read anything else as 0.0.0.`,
      { reason: "invalid_version", details: { field } },
    );
  }
  return value;
}

/**
 * Check a `requires_version` range (npm semver range syntax: `>=1.0.0`, `>=1.2.0 <2.0.0`, `^1.4.0`,
 * `1.x`). Returns the normalized range; throws `invalid`/`invalid_requires_version` otherwise.
 */
export function assertVersionRange(value: string, field = "requires_version"): string {
  const normalized = semver.validRange(value.trim());
  if (normalized === null || value.trim() === "") {
    throw new DomainError(
      "invalid",
      `${field} "${value.slice(0, 60)}" is not a version range (use e.g. ">=1.0.0" or ">=1.2.0 <2.0.0").`,
      { reason: "invalid_requires_version", details: { field } },
    );
  }
  return value.trim();
}

/** Does `version` (read as the field runtime reads it) satisfy `range`? A null range accepts all. */
export function satisfiesRange(version: string | null | undefined, range: string | null): boolean {
  if (range === null) return true;
  return semver.satisfies(fieldVersion(version).join("."), range);
}
