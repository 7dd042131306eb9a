import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import {
  DEFAULT_RURI_PORT,
  formatRuri,
  isDeviceId,
  parseLegacyAlias,
  parseRobotReference,
  parseRuri,
  toIdentityRuri,
  tryParseRuri,
  type RobotAddress,
} from "./ruri";

function caught(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, nothing was thrown");
}

const UUID = "6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f";

// Every accepted example from UPSTREAM.md and PRODUCT.md, plus the edges of each component rule.
const accepted: Array<{ name: string; input: string; expected: Omit<RobotAddress, "identity">; identity: string }> = [
  {
    name: "the 4-segment form real robots use (UPSTREAM.md, PRODUCT.md §3.2)",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680",
    expected: {
      registry: "continuon.cloud",
      manufacturer: "continuon",
      model: "companion-v1",
      deviceId: "14d4b680",
      port: 8080,
      capability: null,
    },
    identity: "rcan://continuon.cloud/continuon/companion-v1/14d4b680",
  },
  {
    name: "explicit port",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680:9090",
    expected: {
      registry: "continuon.cloud",
      manufacturer: "continuon",
      model: "companion-v1",
      deviceId: "14d4b680",
      port: 9090,
      capability: null,
    },
    identity: "rcan://continuon.cloud/continuon/companion-v1/14d4b680",
  },
  {
    name: "explicit default port",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680:8080",
    expected: {
      registry: "continuon.cloud",
      manufacturer: "continuon",
      model: "companion-v1",
      deviceId: "14d4b680",
      port: 8080,
      capability: null,
    },
    identity: "rcan://continuon.cloud/continuon/companion-v1/14d4b680",
  },
  {
    name: "capability /arm (UPSTREAM.md)",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680/arm",
    expected: {
      registry: "continuon.cloud",
      manufacturer: "continuon",
      model: "companion-v1",
      deviceId: "14d4b680",
      port: 8080,
      capability: "/arm",
    },
    identity: "rcan://continuon.cloud/continuon/companion-v1/14d4b680",
  },
  {
    name: "capability /teleop/camera/front (UPSTREAM.md)",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680/teleop/camera/front",
    expected: {
      registry: "continuon.cloud",
      manufacturer: "continuon",
      model: "companion-v1",
      deviceId: "14d4b680",
      port: 8080,
      capability: "/teleop/camera/front",
    },
    identity: "rcan://continuon.cloud/continuon/companion-v1/14d4b680",
  },
  {
    name: "port and capability",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680:65535/teleop/camera/front",
    expected: {
      registry: "continuon.cloud",
      manufacturer: "continuon",
      model: "companion-v1",
      deviceId: "14d4b680",
      port: 65535,
      capability: "/teleop/camera/front",
    },
    identity: "rcan://continuon.cloud/continuon/companion-v1/14d4b680",
  },
  {
    name: "UUID device id",
    input: `rcan://registry.example-fleet.io/acme-robotics/arm-2/${UUID}:1`,
    expected: {
      registry: "registry.example-fleet.io",
      manufacturer: "acme-robotics",
      model: "arm-2",
      deviceId: UUID,
      port: 1,
      capability: null,
    },
    identity: `rcan://registry.example-fleet.io/acme-robotics/arm-2/${UUID}`,
  },
  {
    name: "two-character components (the shortest the rules allow)",
    input: "rcan://ab/c1/m2/00000000/x_y-z/9",
    expected: {
      registry: "ab",
      manufacturer: "c1",
      model: "m2",
      deviceId: "00000000",
      port: 8080,
      capability: "/x_y-z/9",
    },
    identity: "rcan://ab/c1/m2/00000000",
  },
];

// Every refused example from UPSTREAM.md, and one case per rule. `part` is what the message names.
const refused: Array<{ name: string; input: string; part: string }> = [
  {
    name: "discovery placeholder with a network address (UPSTREAM.md)",
    input: "rcan://local.rcan/discovered/192.168.1.42:8080",
    part: 'device_id is missing ("192.168.1.42:8080" is a network address',
  },
  {
    name: "unknown device id (UPSTREAM.md)",
    input: "rcan://continuon.cloud/continuon/companion-v1/unknown",
    part: 'device_id "unknown" must be 8 lowercase hex digits or a UUID',
  },
  {
    name: "5-segment RCAN SDK form with a robot device id (UPSTREAM.md)",
    input: "rcan://continuon.cloud/continuon/companion-v1/v1/14d4b680",
    part: '5-segment RCAN SDK form (…/<model>/<version>/<device_id>, version "v1")',
  },
  {
    name: "5-segment RCAN SDK form, the SDK's own example",
    input: "rcan://registry.rcan.dev/acme/robotarm/v2/unit-001",
    part: '5-segment RCAN SDK form (…/<model>/<version>/<device_id>, version "v2")',
  },
  {
    name: "5-segment RCAN SDK form with a dotted version",
    input: "rcan://registry/manufacturer/model/1.2.0/14d4b680",
    part: "5-segment RCAN SDK form",
  },
  {
    name: "5-segment RCAN SDK template as written in UPSTREAM.md",
    input: "rcan://registry/manufacturer/model/version/device_id",
    part: 'device_id "version" must be 8 lowercase hex digits or a UUID (if this is the RCAN SDK\'s 5-segment form, robot RURIs have no version segment',
  },
  {
    name: "5-segment RCAN SDK form with a named version",
    input: "rcan://continuon.cloud/continuon/companion-v1/stable/14d4b680",
    part: '5-segment RCAN SDK form (…/<model>/<version>/<device_id>, version "stable")',
  },
  {
    name: "the placeholder template of PRODUCT.md/UPSTREAM.md",
    input: "rcan://<registry>/<manufacturer>/<model>/<device_id>",
    part: 'registry "<registry>" must match',
  },
  { name: "empty string", input: "", part: 'must start with "rcan://"' },
  { name: "other scheme", input: "https://continuon.cloud/continuon/companion-v1/14d4b680", part: "must start with" },
  {
    name: "upper-case scheme",
    input: "RCAN://continuon.cloud/continuon/companion-v1/14d4b680",
    part: "lowercase scheme",
  },
  { name: "leading space", input: " rcan://continuon.cloud/continuon/companion-v1/14d4b680", part: "must start with" },
  { name: "trailing newline", input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680\n", part: "whitespace" },
  {
    name: "query string",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680?x=1",
    part: '"?" is not allowed',
  },
  { name: "fragment", input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680#arm", part: '"#" is not allowed' },
  { name: "user info", input: "rcan://me@continuon.cloud/continuon/companion-v1/14d4b680", part: '"@" is not allowed' },
  { name: "empty registry", input: "rcan:///continuon/companion-v1/14d4b680", part: "registry is empty" },
  {
    name: "registry with a port",
    input: "rcan://continuon.cloud:443/continuon/companion-v1/14d4b680",
    part: "must not carry a port",
  },
  {
    name: "registry starting with a dot",
    input: "rcan://.cloud/continuon/companion-v1/14d4b680",
    part: 'registry ".cloud"',
  },
  {
    name: "registry ending with a dash",
    input: "rcan://cloud-/continuon/companion-v1/14d4b680",
    part: 'registry "cloud-"',
  },
  { name: "one-character registry", input: "rcan://c/continuon/companion-v1/14d4b680", part: 'registry "c"' },
  {
    name: "upper-case registry",
    input: "rcan://Continuon.cloud/continuon/companion-v1/14d4b680",
    part: 'registry "Continuon.cloud" must be lowercase',
  },
  { name: "registry only", input: "rcan://continuon.cloud", part: "manufacturer is empty" },
  { name: "empty manufacturer", input: "rcan://continuon.cloud//companion-v1/14d4b680", part: "manufacturer is empty" },
  {
    name: "manufacturer with a dot",
    input: "rcan://continuon.cloud/continuon.ai/companion-v1/14d4b680",
    part: 'manufacturer "continuon.ai" must match',
  },
  {
    name: "manufacturer with an underscore",
    input: "rcan://continuon.cloud/continu_on/companion-v1/14d4b680",
    part: 'manufacturer "continu_on"',
  },
  {
    name: "upper-case manufacturer",
    input: "rcan://continuon.cloud/Continuon/companion-v1/14d4b680",
    part: 'manufacturer "Continuon" must be lowercase',
  },
  {
    name: "one-character model",
    input: "rcan://continuon.cloud/continuon/c/14d4b680",
    part: 'model "c" must match',
  },
  {
    name: "model ending with a dash",
    input: "rcan://continuon.cloud/continuon/companion-/14d4b680",
    part: 'model "companion-"',
  },
  { name: "three parts", input: "rcan://continuon.cloud/continuon/companion-v1", part: "device_id is missing" },
  { name: "empty device id", input: "rcan://continuon.cloud/continuon/companion-v1/", part: "device_id is empty" },
  {
    name: "upper-case device id",
    input: "rcan://continuon.cloud/continuon/companion-v1/14D4B680",
    part: 'device_id "14D4B680" must be lowercase',
  },
  {
    name: "upper-case UUID",
    input: `rcan://continuon.cloud/continuon/companion-v1/${UUID.toUpperCase()}`,
    part: "must be lowercase",
  },
  {
    name: "7 hex digits",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b68",
    part: 'device_id "14d4b68" must be 8 lowercase hex digits',
  },
  {
    name: "9 hex digits",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b6801",
    part: 'device_id "14d4b6801"',
  },
  {
    name: "UUID without dashes",
    input: "rcan://continuon.cloud/continuon/companion-v1/6f1c2b9e3d4a4c5b8e7f0a1b2c3d4e5f",
    part: "device_id",
  },
  {
    name: "legacy alias in place of a device id",
    input: "rcan://continuon.cloud/continuon/companion-v1/brain-1765843752",
    part: 'device_id "brain-1765843752"',
  },
  {
    name: "IP address in place of a device id",
    input: "rcan://local.rcan/discovered/robot-1/192.168.1.42:8080",
    part: 'device_id "192.168.1.42" is a network address',
  },
  {
    name: "empty port",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680:",
    part: 'port "" must be a number from 1 to 65535',
  },
  { name: "port 0", input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680:0", part: 'port "0"' },
  { name: "port 65536", input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680:65536", part: 'port "65536"' },
  {
    name: "port with leading zero",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680:08080",
    part: 'port "08080"',
  },
  { name: "named port", input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680:http", part: 'port "http"' },
  {
    name: "trailing slash",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680/",
    part: "capability segment 1 is empty",
  },
  {
    name: "double slash in capability",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680/teleop//front",
    part: "capability segment 2 is empty",
  },
  {
    name: "upper-case capability",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680/Arm",
    part: 'capability segment "Arm" must match',
  },
  {
    name: "dot segment in capability",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680/..",
    part: 'capability segment ".."',
  },
  {
    name: "port on a capability segment",
    input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680/arm:8080",
    part: 'capability segment "arm:8080"',
  },
  {
    name: "over-long RURI",
    input: `rcan://continuon.cloud/continuon/companion-v1/14d4b680/${"a".repeat(600)}`,
    part: "longer than 512 characters",
  },
];

describe("parseRuri", () => {
  it.each(accepted)("accepts $name", ({ input, expected, identity }) => {
    expect(parseRuri(input)).toEqual({ ...expected, identity });
    expect(tryParseRuri(input)).not.toBeNull();
    expect(toIdentityRuri(input)).toBe(identity);
  });

  it.each(refused)("refuses $name", ({ input, part }) => {
    const error = caught(() => parseRuri(input));
    expect(error.code).toBe("invalid");
    expect(error.reason).toBe("invalid_ruri");
    expect(error.message).toContain(part);
    expect(tryParseRuri(input)).toBeNull();
  });

  it("quotes the refused string in the message", () => {
    const error = caught(() => parseRuri("rcan://continuon.cloud/continuon/companion-v1/unknown"));
    expect(error.message).toBe(
      'Invalid RURI "rcan://continuon.cloud/continuon/companion-v1/unknown": device_id "unknown" must be 8 lowercase hex digits or a UUID',
    );
  });

  it("refuses a value that is not a string", () => {
    const error = caught(() => parseRuri(42 as unknown as string));
    expect([error.code, error.reason]).toEqual(["invalid", "invalid_ruri"]);
  });

  it("uses 8080 as the default port", () => {
    expect(DEFAULT_RURI_PORT).toBe(8080);
  });
});

describe("formatRuri", () => {
  it.each(accepted.filter(({ input }) => !input.includes(":8080")))("round-trips $name", ({ input }) => {
    expect(formatRuri(parseRuri(input))).toBe(input);
  });

  it("omits the default port and keeps others", () => {
    const parts = {
      registry: "continuon.cloud",
      manufacturer: "continuon",
      model: "companion-v1",
      deviceId: "14d4b680",
    };
    expect(formatRuri({ ...parts, port: 8080 })).toBe("rcan://continuon.cloud/continuon/companion-v1/14d4b680");
    expect(formatRuri({ ...parts, port: 9090, capability: "/arm" })).toBe(
      "rcan://continuon.cloud/continuon/companion-v1/14d4b680:9090/arm",
    );
    expect(formatRuri({ ...parts, capability: null })).toBe("rcan://continuon.cloud/continuon/companion-v1/14d4b680");
  });

  const parts = { registry: "continuon.cloud", manufacturer: "continuon", model: "companion-v1", deviceId: "14d4b680" };
  it.each([
    { name: "bad registry", input: { ...parts, registry: "-x" }, part: 'registry "-x"' },
    { name: "bad manufacturer", input: { ...parts, manufacturer: "a b" }, part: 'manufacturer "a b"' },
    { name: "bad model", input: { ...parts, model: "Model" }, part: 'model "Model" must be lowercase' },
    { name: "bad device id", input: { ...parts, deviceId: "unknown" }, part: 'device_id "unknown"' },
    { name: "port 0", input: { ...parts, port: 0 }, part: 'port "0"' },
    { name: "fractional port", input: { ...parts, port: 80.5 }, part: "port must be an integer" },
    { name: "capability without slash", input: { ...parts, capability: "arm" }, part: 'capability "arm" must start' },
    { name: "bad capability", input: { ...parts, capability: "/a//b" }, part: "capability segment 2 is empty" },
  ])("refuses $name", ({ input, part }) => {
    const error = caught(() => formatRuri(input));
    expect([error.code, error.reason]).toEqual(["invalid", "invalid_ruri"]);
    expect(error.message).toContain(part);
  });
});

describe("isDeviceId", () => {
  it.each([
    ["14d4b680", true],
    ["00000000", true],
    [UUID, true],
    ["14D4B680", false],
    ["14d4b68", false],
    ["14d4b680a", false],
    ["unknown", false],
    [`${UUID}0`, false],
    ["brain-1765843752", false],
    ["", false],
  ])("%s → %s", (value, expected) => {
    expect(isDeviceId(value)).toBe(expected);
  });
});

describe("parseLegacyAlias", () => {
  it("accepts brain-<unix seconds>", () => {
    expect(parseLegacyAlias("brain-1765843752")).toEqual({ alias: "brain-1765843752", unixSeconds: 1765843752 });
  });

  it.each([
    { name: "no number", input: "brain-" },
    { name: "leading zero", input: "brain-01765843752" },
    { name: "milliseconds (13 digits)", input: "brain-1765843752000" },
    { name: "upper case", input: "Brain-1765843752" },
    { name: "other prefix", input: "robot-1765843752" },
    { name: "trailing text", input: "brain-1765843752x" },
    { name: "a device id", input: "14d4b680" },
    { name: "a RURI", input: "rcan://continuon.cloud/continuon/companion-v1/14d4b680" },
  ])("refuses $name", ({ input }) => {
    const error = caught(() => parseLegacyAlias(input));
    expect([error.code, error.reason]).toEqual(["invalid", "invalid_alias"]);
    expect(error.message).toContain(JSON.stringify(input));
    expect(error.message).toContain("brain-<unix seconds>");
  });
});

describe("parseRobotReference", () => {
  it("classifies a RURI, a device id and an alias", () => {
    expect(parseRobotReference("rcan://continuon.cloud/continuon/companion-v1/14d4b680/arm")).toMatchObject({
      kind: "ruri",
      deviceId: "14d4b680",
      address: { capability: "/arm" },
    });
    expect(parseRobotReference(UUID)).toEqual({ kind: "device_id", deviceId: UUID });
    expect(parseRobotReference("brain-1765843752")).toEqual({
      kind: "alias",
      alias: "brain-1765843752",
      unixSeconds: 1765843752,
    });
  });

  it.each([
    { name: "a malformed RURI", input: "rcan://local.rcan/discovered/192.168.1.42:8080", reason: "invalid_ruri" },
    { name: "free text", input: "my robot", reason: "invalid_robot_reference" },
    { name: "an empty string", input: "", reason: "invalid_robot_reference" },
    { name: "an upper-case device id", input: "14D4B680", reason: "invalid_robot_reference" },
  ])("refuses $name", ({ input, reason }) => {
    const error = caught(() => parseRobotReference(input));
    expect([error.code, error.reason]).toEqual(["invalid", reason]);
  });
});
