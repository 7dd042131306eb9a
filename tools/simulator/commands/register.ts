import { COMMON_OPTIONS, openRobot, provisioningToken } from "./common";
import type { SimulatorCommand } from "./types";

export const registerCommand: SimulatorCommand = {
  name: "register",
  summary: "Register the robot's device key with a provisioning token (creates the identity if needed)",
  usage:
    "register --token cpt_… [--dir DIR] [--url URL] [--name NAME] [--model companion-v1] [--manufacturer continuon] [--device-id 8hex]",
  options: {
    ...COMMON_OPTIONS,
    token: { type: "string" },
    name: { type: "string" },
    model: { type: "string" },
    manufacturer: { type: "string" },
    "device-id": { type: "string" },
  },
  async run({ values, print }) {
    const token = provisioningToken(values);
    if (!token)
      throw new Error("--token is required (or set CONTINUON_PROVISIONING_TOKEN); an admin creates one in the console");
    const robot = await openRobot(values, print);
    const registry = await robot.register(token);
    print(JSON.stringify(registry, null, 2));
  },
};
