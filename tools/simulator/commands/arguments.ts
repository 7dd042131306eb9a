import { parseArgs } from "node:util";
import { BEHAVIORS } from "../behaviors";
import { COMMANDS } from "./index";
import type { CommandValues, SimulatorCommand } from "./types";

/** `npm run sim -- --help`: the commands and behaviors. */
export function simulatorHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    "Usage: npm run sim -- <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "Behaviors (fleet --behaviors a,b):",
    ...BEHAVIORS.map((behavior) => {
      const flags = Object.keys(behavior.options ?? {}).map((flag) => `--${flag}`);
      return `  ${behavior.name}  ${behavior.description}${flags.length ? ` (${flags.join(", ")})` : ""}`;
    }),
    "",
    "The server URL (--url, or CONTINUON_URL) must be the server's PUBLIC_URL: signatures cover it.",
    "Run `npm run sim -- <command> --help` for a command's options.",
  ].join("\n");
}

/** `npm run sim -- <command> --help`: its usage, summary and any further option lines. */
export function commandHelp(command: SimulatorCommand): string {
  return [`Usage: npm run sim -- ${command.usage}`, "", `${command.summary}.`, ...(command.details?.() ?? [])].join(
    "\n",
  );
}

export type ParsedCommandLine =
  | { kind: "help"; text: string }
  | { kind: "unknown"; text: string }
  | { kind: "run"; command: SimulatorCommand; values: CommandValues; positionals: string[] };

/**
 * Read `npm run sim -- …` arguments. Options a command does not take fail (`Unknown option`), so
 * whatever a help text lists must be in the command's `options`.
 */
export function parseCommandLine(argv: string[]): ParsedCommandLine {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") return { kind: "help", text: simulatorHelp() };
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) return { kind: "unknown", text: `Unknown command "${name}".\n\n${simulatorHelp()}` };
  if (rest.includes("--help") || rest.includes("-h")) return { kind: "help", text: commandHelp(command) };
  const { values, positionals } = parseArgs({
    args: rest,
    options: command.options,
    allowPositionals: true,
    strict: true,
  });
  return { kind: "run", command, values, positionals };
}
