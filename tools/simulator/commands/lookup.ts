import { COMMON_OPTIONS, openRobot, text } from "./common";
import type { SimulatorCommand } from "./types";

export const lookupCommand: SimulatorCommand = {
  name: "lookup",
  summary: "Look a robot up as this robot (signed GET /api/rcan/lookup); itself by default",
  usage: "lookup [--ruri RURI|device_id|brain-…] [--dir DIR] [--url URL]",
  options: { ...COMMON_OPTIONS, ruri: { type: "string" } },
  async run({ values, print }) {
    const robot = await openRobot(values, print);
    const reference = text(values, "ruri") ?? robot.ruri;
    const answer = await robot.client.requestJson("GET", `/api/rcan/lookup?ruri=${encodeURIComponent(reference)}`);
    print(JSON.stringify(answer, null, 2));
  },
};
