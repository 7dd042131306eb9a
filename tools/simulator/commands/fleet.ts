import { BEHAVIORS, resolveBehaviors } from "../behaviors";
import type { BehaviorOptions } from "../behaviors/types";
import { startFleet } from "../fleet";
import { baseUrl, COMMON_OPTIONS, DEFAULT_FLEET_DIR, positiveNumber, provisioningToken, text } from "./common";
import type { CommandValues, SimulatorCommand } from "./types";

/**
 * What the behaviors receive from `fleet`'s options: `--interval` as the heartbeat interval, and
 * every option a behavior declares under its camelCase name (`--episodes-steps` → `episodesSteps`).
 */
export function fleetBehaviorOptions(values: CommandValues): BehaviorOptions {
  const options: BehaviorOptions = {
    heartbeatIntervalS: text(values, "interval") ? positiveNumber(values, "interval", 60) : undefined,
  };
  for (const behavior of BEHAVIORS) {
    for (const flag of Object.keys(behavior.options ?? {})) {
      const value = text(values, flag);
      if (value !== undefined) options[flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())] = value;
    }
  }
  return options;
}

export const fleetCommand: SimulatorCommand = {
  name: "fleet",
  summary: "Run N robots that register and act on their own (heartbeat, …) until Ctrl-C",
  usage:
    "fleet --count N [--token cpt_…] [--dir DIR] [--url URL] [--model companion-v1] [--behaviors heartbeat,…] [--interval S] [behavior options]",
  details: () => [
    "",
    "Behavior options:",
    ...BEHAVIORS.flatMap((behavior) =>
      Object.entries(behavior.options ?? {}).map(([flag, help]) => `  --${flag} <value>  ${behavior.name}: ${help}`),
    ),
  ],
  options: {
    ...COMMON_OPTIONS,
    count: { type: "string" },
    token: { type: "string" },
    behaviors: { type: "string" },
    interval: { type: "string" },
    model: { type: "string" },
    ...Object.fromEntries(
      BEHAVIORS.flatMap((behavior) => Object.keys(behavior.options ?? {})).map((flag) => [flag, { type: "string" }]),
    ),
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
      behaviorOptions: fleetBehaviorOptions(values),
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
