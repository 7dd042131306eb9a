import { COMMON_OPTIONS, openRobot, provisioningToken, text } from "./common";
import type { SimulatorCommand } from "./types";

export const registerCommand: SimulatorCommand = {
  name: "register",
  summary:
    "Register the robot's device key with a provisioning token (creates the identity if needed), or re-enrol it after an admin's key reset",
  usage:
    "register --token cpt_… | --reenrolment-token cre_… [--dir DIR] [--url URL] [--name NAME] [--model companion-v1] [--manufacturer continuon] [--device-id 8hex]",
  options: {
    ...COMMON_OPTIONS,
    token: { type: "string" },
    "reenrolment-token": { type: "string" },
    name: { type: "string" },
    model: { type: "string" },
    manufacturer: { type: "string" },
    "device-id": { type: "string" },
  },
  async run({ values, print }) {
    const reenrolmentToken = text(values, "reenrolment-token");
    if (reenrolmentToken) {
      const robot = await openRobot(values, print);
      print(JSON.stringify(await robot.reenrol(reenrolmentToken), null, 2));
      return;
    }
    const token = provisioningToken(values);
    if (!token)
      throw new Error("--token is required (or set CONTINUON_PROVISIONING_TOKEN); an admin creates one in the console");
    const robot = await openRobot(values, print);
    const registry = await robot.register(token);
    print(JSON.stringify(registry, null, 2));
  },
};
