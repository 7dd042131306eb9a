import { describe, expect, it } from "vitest";
import { BEHAVIORS } from "../behaviors";
import { commandHelp, parseCommandLine, simulatorHelp } from "./arguments";
import { fleetBehaviorOptions } from "./fleet";
import { COMMANDS } from "./index";

/** Every `--flag` a help text names (`--help` itself aside). */
function flagsIn(help: string): string[] {
  return [...new Set([...help.matchAll(/--([a-z][a-z0-9-]*)/g)].map((match) => match[1]!))].filter(
    (flag) => flag !== "help",
  );
}

function run(argv: string[]) {
  const parsed = parseCommandLine(argv);
  if (parsed.kind !== "run") throw new Error(`expected a command to run, got ${parsed.kind}`);
  return parsed;
}

describe("simulator command line", () => {
  it.each(COMMANDS.map((command) => [command.name, command] as const))(
    "%s accepts every option its --help lists, and lists every option it accepts",
    (name, command) => {
      const help = commandHelp(command);
      const listed = flagsIn(help);
      expect(listed.length).toBeGreaterThan(0);
      for (const flag of listed) {
        const boolean = command.options[flag]?.type === "boolean";
        const parsed = run([name, `--${flag}`, ...(boolean ? [] : ["7"])]);
        expect(parsed.command.name).toBe(name);
        expect(parsed.values[flag]).toBe(boolean ? true : "7");
      }
      expect(listed.sort()).toEqual(Object.keys(command.options).sort());
    },
  );

  it("runs `fleet --episodes-steps 3000`: behavior options reach the behaviors under their camelCase names", () => {
    const parsed = run(["fleet", "--episodes-steps", "3000", "--ota-every", "20", "--interval", "15"]);
    expect(fleetBehaviorOptions(parsed.values)).toEqual({
      heartbeatIntervalS: 15,
      episodesSteps: "3000",
      otaEvery: "20",
    });
  });

  it("passes every behavior option the main --help names through fleet", () => {
    const behaviorsSection = simulatorHelp().split("Behaviors (fleet --behaviors a,b):")[1]!.split("\n\n")[0]!;
    const flags = flagsIn(behaviorsSection);
    expect(flags.sort()).toEqual(BEHAVIORS.flatMap((behavior) => Object.keys(behavior.options ?? {})).sort());
    for (const flag of flags) {
      const camel = flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
      expect(fleetBehaviorOptions(run(["fleet", `--${flag}`, "0.5"]).values)).toEqual({
        heartbeatIntervalS: undefined,
        [camel]: "0.5",
      });
    }
  });

  it("refuses options a command does not list", () => {
    expect(() => parseCommandLine(["heartbeat", "--episodes-steps", "3"])).toThrow(/Unknown option '--episodes-steps'/);
    expect(parseCommandLine(["dance"])).toMatchObject({ kind: "unknown" });
  });
});
