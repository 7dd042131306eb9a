import { COMMON_OPTIONS, openRobot } from "./common";
import type { SimulatorCommand } from "./types";

export const initCommand: SimulatorCommand = {
  name: "init",
  summary: "Create a robot identity folder (Ed25519 key pair and RURI), or show the one there",
  usage: "init [--dir DIR] [--url URL] [--model companion-v1] [--manufacturer continuon] [--device-id 8hex]",
  options: {
    ...COMMON_OPTIONS,
    model: { type: "string" },
    manufacturer: { type: "string" },
    "device-id": { type: "string" },
  },
  async run({ values, print }) {
    const robot = await openRobot(values, print);
    print(
      JSON.stringify(
        { dir: robot.dir, ruri: robot.ruri, device_id: robot.deviceId, public_key: robot.identity.publicKey },
        null,
        2,
      ),
    );
  },
};
