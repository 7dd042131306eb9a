import { resolveBehaviors } from "../behaviors";
import { startFleet } from "../fleet";
import { baseUrl, COMMON_OPTIONS, DEFAULT_FLEET_DIR, positiveNumber, provisioningToken, text } from "./common";
import type { SimulatorCommand } from "./types";

export const fleetCommand: SimulatorCommand = {
  name: "fleet",
  summary: "Run N robots that register and act on their own (heartbeat, …) until Ctrl-C",
  usage:
    "fleet --count N [--token cpt_…] [--dir DIR] [--url URL] [--behaviors heartbeat,…] [--interval S] [--ota-fail-rate 0.3] [--ota-every S] [--remote-webrtc false] [--remote-telemetry-hz 5]",
  options: {
    ...COMMON_OPTIONS,
    count: { type: "string" },
    token: { type: "string" },
    behaviors: { type: "string" },
    interval: { type: "string" },
    model: { type: "string" },
    "ota-fail-rate": { type: "string" },
    "ota-every": { type: "string" },
    "remote-webrtc": { type: "string" },
    "remote-telemetry-hz": { type: "string" },
  },
  async run({ values, print, stopRequested }) {
    const count = positiveNumber(values, "count", 3);
    const behaviors = resolveBehaviors(text(values, "behaviors")?.split(",").filter(Boolean));
    const fleet = await startFleet({
      baseUrl: baseUrl(values),
      dir: text(values, "dir") ?? DEFAULT_FLEET_DIR,
      count: Math.floor(count),
      provisioningToken: provisioningToken(values),
      behaviors,
      behaviorOptions: {
        heartbeatIntervalS: text(values, "interval") ? positiveNumber(values, "interval", 60) : undefined,
        otaFailRate: text(values, "ota-fail-rate"),
        otaEvery: text(values, "ota-every"),
        remoteWebrtc: text(values, "remote-webrtc"),
        remoteTelemetryHz: text(values, "remote-telemetry-hz"),
      },
      model: text(values, "model"),
      output: print,
    });
    print(
      `${fleet.robots.length} robots running (${behaviors.map((behavior) => behavior.name).join(", ")}); Ctrl-C stops them.`,
    );
    await stopRequested;
    print("stopping the fleet…");
    await fleet.stop();
  },
};
