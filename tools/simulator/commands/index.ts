import { claimCommand } from "./claim";
import { fleetCommand } from "./fleet";
import { heartbeatCommand } from "./heartbeat";
import { initCommand } from "./init";
import { lookupCommand } from "./lookup";
import { registerCommand } from "./register";
import type { SimulatorCommand } from "./types";

/** Every simulator command. Add yours here (one line), in its own file next to this one. */
export const COMMANDS: SimulatorCommand[] = [
  initCommand,
  registerCommand,
  heartbeatCommand,
  claimCommand,
  lookupCommand,
  fleetCommand,
];

export type { CommandContext, CommandValues, SimulatorCommand } from "./types";
