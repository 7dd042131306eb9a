/**
 * Robot addresses (RURIs) and legacy robot aliases.
 *
 * A robot is identified by its RURI, in the 4-segment form robots in the field use:
 *
 * ```text
 * rcan://<registry>/<manufacturer>/<model>/<device_id>[:<port>][/<capability>...]
 * rcan://continuon.cloud/continuon/companion-v1/14d4b680
 * rcan://continuon.cloud/continuon/companion-v1/14d4b680:9090/teleop/camera/front
 * ```
 *
 * Component rules (shared with the robot runtime and the RCAN protocol draft):
 * - registry: `[a-z0-9][a-z0-9.-]*[a-z0-9]` (a host name, no port)
 * - manufacturer, model: `[a-z0-9][a-z0-9-]*[a-z0-9]`
 * - device_id: 8 lowercase hex digits (`14d4b680`) or a lowercase UUID. It is the robot's identity
 *   (the document id in `rcan_registry` and the `keyid` of its signatures).
 * - port: 1–65535 without leading zeros, default 8080 (the robot's local API). It is omitted when
 *   formatting the default.
 * - capability: zero or more `/segment` parts, each `[a-z0-9][a-z0-9_-]*` (`/arm`, `/teleop/camera/front`).
 *
 * Port and capability address a part of a robot; they are never part of its identity:
 * {@link RobotAddress.identity} is always the 4-segment form.
 *
 * Parsing is strict and never normalises (no trimming, no lower-casing): two spellings of one
 * robot would otherwise become two identities. Refused strings throw
 * `DomainError("invalid", …, {reason: "invalid_ruri"})` with a message naming the bad part.
 *
 * Not accepted on purpose:
 * - the 5-segment form of the newer RCAN SDK (`rcan://registry/manufacturer/model/version/device_id`):
 *   it is a different address space and that SDK rejects robot RURIs in turn;
 * - discovery placeholders such as `rcan://local.rcan/discovered/192.168.1.42:8080` (a network
 *   address is not an identity) and `…/companion-v1/unknown`.
 *
 * Robots also carry a legacy id `brain-<unix seconds>` (see {@link parseLegacyAlias}). It is an alias
 * that lookups accept, never an identity: it is neither unique nor bound to a key.
 */
import { DomainError } from "@/lib/errors";

/** The port of a robot's local API when its RURI names none. */
export const DEFAULT_RURI_PORT = 8080;

/** Longest RURI accepted; far above any real address, low enough to keep logs and indexes sane. */
export const MAX_RURI_LENGTH = 512;

const SCHEME = "rcan://";
const REGISTRY_RE = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const NAME_RE = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
const SHORT_DEVICE_ID_RE = /^[0-9a-f]{8}$/;
const UUID_DEVICE_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PORT_RE = /^[1-9][0-9]{0,4}$/;
const CAPABILITY_SEGMENT_RE = /^[a-z0-9][a-z0-9_-]*$/;
const IPV4_RE = /^\d{1,3}(\.\d{1,3}){3}$/;
// The version segment of the RCAN SDK's 5-segment form: `v2`, `1`, `1.2.0`, `v1.2`.
const SDK_VERSION_RE = /^v?\d+(\.\d+)*$/;

/** A parsed RURI. */
export interface RobotAddress {
  registry: string;
  manufacturer: string;
  model: string;
  /** 8 lowercase hex digits or a lowercase UUID: the robot's identity. */
  deviceId: string;
  /** The robot's local API port; {@link DEFAULT_RURI_PORT} when the RURI names none. */
  port: number;
  /** The capability path with its leading slash (`/teleop/camera/front`), or null. */
  capability: string | null;
  /** The identity form `rcan://registry/manufacturer/model/device_id` (no port, no capability). */
  identity: string;
}

/** The parts {@link formatRuri} takes; `port` and `capability` are optional. */
export interface RobotAddressParts {
  registry: string;
  manufacturer: string;
  model: string;
  deviceId: string;
  port?: number;
  capability?: string | null;
}

function refuse(input: string, problem: string): DomainError {
  return new DomainError("invalid", `Invalid RURI ${JSON.stringify(clip(input))}: ${problem}`, {
    reason: "invalid_ruri",
  });
}

function clip(value: string): string {
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}

/** True when `value` is a device id: 8 lowercase hex digits or a lowercase UUID. */
export function isDeviceId(value: string): boolean {
  return SHORT_DEVICE_ID_RE.test(value) || UUID_DEVICE_ID_RE.test(value);
}

/** Explains why `value` is not a device id, or returns null when it is one. */
function deviceIdProblem(value: string): string | null {
  if (isDeviceId(value)) return null;
  const shown = JSON.stringify(clip(value));
  if (value === "") return "device_id is empty";
  if (IPV4_RE.test(value)) return `device_id ${shown} is a network address, not a device id`;
  if (isDeviceId(value.toLowerCase())) return `device_id ${shown} must be lowercase`;
  return `device_id ${shown} must be 8 lowercase hex digits or a UUID`;
}

function nameProblem(part: "manufacturer" | "model", value: string): string | null {
  if (NAME_RE.test(value)) return null;
  if (value === "") return `${part} is empty`;
  if (NAME_RE.test(value.toLowerCase())) return `${part} ${JSON.stringify(clip(value))} must be lowercase`;
  return `${part} ${JSON.stringify(clip(value))} must match [a-z0-9][a-z0-9-]*[a-z0-9]`;
}

function registryProblem(value: string): string | null {
  if (REGISTRY_RE.test(value)) return null;
  if (value === "") return "registry is empty";
  if (REGISTRY_RE.test(value.toLowerCase())) return `registry ${JSON.stringify(clip(value))} must be lowercase`;
  if (/:\d*$/.test(value)) return `registry ${JSON.stringify(clip(value))} must not carry a port`;
  return `registry ${JSON.stringify(clip(value))} must match [a-z0-9][a-z0-9.-]*[a-z0-9]`;
}

function portProblem(value: string): string | null {
  if (!PORT_RE.test(value) || Number(value) > 65535) {
    return `port ${JSON.stringify(clip(value))} must be a number from 1 to 65535 without leading zeros`;
  }
  return null;
}

function capabilityProblem(segments: string[]): string | null {
  for (const [index, segment] of segments.entries()) {
    if (segment === "") return `capability segment ${index + 1} is empty (no double or trailing "/")`;
    if (!CAPABILITY_SEGMENT_RE.test(segment)) {
      return `capability segment ${JSON.stringify(clip(segment))} must match [a-z0-9][a-z0-9_-]*`;
    }
  }
  return null;
}

/**
 * Parses a RURI (`rcan://registry/manufacturer/model/device_id[:port][/capability...]`).
 *
 * @throws DomainError `invalid` / `invalid_ruri` naming the bad part.
 */
export function parseRuri(input: string): RobotAddress {
  if (typeof input !== "string") {
    throw new DomainError("invalid", "Invalid RURI: expected a string", { reason: "invalid_ruri" });
  }
  if (input.length > MAX_RURI_LENGTH) throw refuse(input, `longer than ${MAX_RURI_LENGTH} characters`);
  if (!input.startsWith(SCHEME)) {
    throw refuse(input, `must start with "${SCHEME}" (lowercase scheme)`);
  }
  const rest = input.slice(SCHEME.length);
  const forbidden = /[\s?#@]/.exec(rest);
  if (forbidden) {
    const what = /\s/.test(forbidden[0]) ? "whitespace" : JSON.stringify(forbidden[0]);
    throw refuse(input, `${what} is not allowed in a RURI`);
  }

  const segments = rest.split("/");
  const [registry = "", manufacturer = "", model = "", deviceSegment, ...capabilitySegments] = segments;

  const registryIssue = registryProblem(registry);
  if (registryIssue) throw refuse(input, registryIssue);
  const manufacturerIssue = nameProblem("manufacturer", manufacturer);
  if (manufacturerIssue) throw refuse(input, manufacturerIssue);

  if (deviceSegment === undefined) {
    // Three parts or fewer: the device id is missing. Discovery placeholders such as
    // `rcan://local.rcan/discovered/192.168.1.42:8080` land here; say so plainly.
    const last = segments[segments.length - 1] ?? "";
    const hostPart = last.replace(/:\d+$/, "");
    const hint = IPV4_RE.test(hostPart)
      ? ` (${JSON.stringify(last)} is a network address, not a model and device id)`
      : "";
    throw refuse(input, `device_id is missing${hint}: expected rcan://<registry>/<manufacturer>/<model>/<device_id>`);
  }

  const modelIssue = nameProblem("model", model);
  if (modelIssue) throw refuse(input, modelIssue);

  const portAt = deviceSegment.indexOf(":");
  const deviceId = portAt === -1 ? deviceSegment : deviceSegment.slice(0, portAt);
  const portText = portAt === -1 ? null : deviceSegment.slice(portAt + 1);

  const deviceIssue = deviceIdProblem(deviceId);
  if (deviceIssue) {
    const next = capabilitySegments[0]?.replace(/:\d+$/, "");
    const noVersion = "robot RURIs have no version segment: rcan://<registry>/<manufacturer>/<model>/<device_id>";
    if (next !== undefined && portText === null && (SDK_VERSION_RE.test(deviceId) || isDeviceId(next))) {
      throw refuse(
        input,
        `this is the 5-segment RCAN SDK form (…/<model>/<version>/<device_id>, version ${JSON.stringify(deviceId)}); ${noVersion}`,
      );
    }
    if (next !== undefined)
      throw refuse(input, `${deviceIssue} (if this is the RCAN SDK's 5-segment form, ${noVersion})`);
    throw refuse(input, deviceIssue);
  }

  let port = DEFAULT_RURI_PORT;
  if (portText !== null) {
    const issue = portProblem(portText);
    if (issue) throw refuse(input, issue);
    port = Number(portText);
  }

  const capabilityIssue = capabilityProblem(capabilitySegments);
  if (capabilityIssue) throw refuse(input, capabilityIssue);

  return {
    registry,
    manufacturer,
    model,
    deviceId,
    port,
    capability: capabilitySegments.length > 0 ? `/${capabilitySegments.join("/")}` : null,
    identity: `${SCHEME}${registry}/${manufacturer}/${model}/${deviceId}`,
  };
}

/** Like {@link parseRuri} but returns null instead of throwing. */
export function tryParseRuri(input: string): RobotAddress | null {
  try {
    return parseRuri(input);
  } catch {
    return null;
  }
}

/**
 * Formats a RURI from its parts, validating each. The default port (8080) is omitted, so
 * `formatRuri(parseRuri(s)) === s` for every canonical `s`.
 *
 * @throws DomainError `invalid` / `invalid_ruri` naming the bad part.
 */
export function formatRuri(parts: RobotAddressParts): string {
  const label = `rcan://${parts.registry}/${parts.manufacturer}/${parts.model}/${parts.deviceId}`;
  const issue =
    registryProblem(parts.registry) ??
    nameProblem("manufacturer", parts.manufacturer) ??
    nameProblem("model", parts.model) ??
    deviceIdProblem(parts.deviceId);
  if (issue) throw refuse(label, issue);

  let text = label;
  if (parts.port !== undefined && parts.port !== DEFAULT_RURI_PORT) {
    const portIssue = Number.isInteger(parts.port) ? portProblem(String(parts.port)) : `port must be an integer`;
    if (portIssue) throw refuse(label, portIssue);
    text += `:${parts.port}`;
  }
  if (parts.capability !== undefined && parts.capability !== null) {
    if (!parts.capability.startsWith("/")) {
      throw refuse(label, `capability ${JSON.stringify(clip(parts.capability))} must start with "/"`);
    }
    const capabilityIssue = capabilityProblem(parts.capability.slice(1).split("/"));
    if (capabilityIssue) throw refuse(label, capabilityIssue);
    text += parts.capability;
  }
  return text;
}

/**
 * The identity form of a RURI (`rcan://registry/manufacturer/model/device_id`), dropping port and
 * capability. Two RURIs name the same robot exactly when their identities are equal.
 */
export function toIdentityRuri(input: string): string {
  return parseRuri(input).identity;
}

/** A legacy robot alias `brain-<unix seconds>`. */
export interface LegacyAlias {
  alias: string;
  /** The unix time (seconds) the alias encodes: when the robot's runtime was first started. */
  unixSeconds: number;
}

// Up to 11 digits covers unix seconds until the year 5138; more is not a timestamp.
const LEGACY_ALIAS_RE = /^brain-([1-9][0-9]{0,10})$/;

/**
 * Parses a legacy alias `brain-<unix seconds>` (e.g. `brain-1765843752`). Lookups accept it; it never
 * identifies a robot for authentication or ownership.
 *
 * @throws DomainError `invalid` / `invalid_alias` naming the bad part.
 */
export function parseLegacyAlias(input: string): LegacyAlias {
  const match = typeof input === "string" ? LEGACY_ALIAS_RE.exec(input) : null;
  if (!match?.[1]) {
    throw new DomainError(
      "invalid",
      `Invalid robot alias ${JSON.stringify(clip(String(input)))}: expected "brain-<unix seconds>" (e.g. brain-1765843752)`,
      { reason: "invalid_alias" },
    );
  }
  return { alias: input, unixSeconds: Number(match[1]) };
}

/** What a robot lookup string names: a RURI, a bare device id, or a legacy alias. */
export type RobotReference =
  | { kind: "ruri"; deviceId: string; address: RobotAddress }
  | { kind: "device_id"; deviceId: string }
  | { kind: "alias"; alias: string; unixSeconds: number };

/**
 * Classifies a lookup string (`GET /api/rcan/lookup?ruri=…`): a RURI, a bare device id or a
 * legacy alias. Only the first two resolve to an identity directly; an alias must be looked up.
 *
 * @throws DomainError `invalid` with reason `invalid_ruri` (strings starting with `rcan://`) or
 * `invalid_robot_reference` (anything else that is none of the three).
 */
export function parseRobotReference(input: string): RobotReference {
  if (typeof input === "string" && input.startsWith(SCHEME)) {
    const address = parseRuri(input);
    return { kind: "ruri", deviceId: address.deviceId, address };
  }
  if (typeof input === "string" && isDeviceId(input)) return { kind: "device_id", deviceId: input };
  if (typeof input === "string" && LEGACY_ALIAS_RE.test(input)) {
    const { alias, unixSeconds } = parseLegacyAlias(input);
    return { kind: "alias", alias, unixSeconds };
  }
  throw new DomainError(
    "invalid",
    `Invalid robot reference ${JSON.stringify(clip(String(input)))}: expected a RURI (rcan://…), a device id or a brain-<unix seconds> alias`,
    { reason: "invalid_robot_reference" },
  );
}
