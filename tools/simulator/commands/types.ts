import type { ParseArgsConfig } from "node:util";

/** Parsed command-line values (strings and booleans as `node:util` parseArgs gives them). */
export type CommandValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  values: CommandValues;
  positionals: string[];
  /** Lines for people (stdout). */
  print(line: string): void;
  /** Resolves when the user asks to stop (Ctrl-C / SIGTERM); long-running commands await it. */
  stopRequested: Promise<void>;
}

/**
 * A simulator command (`npm run sim -- <name> …`). One file per command under `commands/`, listed
 * once in `commands/index.ts`.
 */
export interface SimulatorCommand {
  name: string;
  summary: string;
  usage: string;
  /** More lines for `<command> --help`, after the usage (e.g. options contributed by behaviors). */
  details?: () => string[];
  options: NonNullable<ParseArgsConfig["options"]>;
  run(context: CommandContext): Promise<void>;
}
