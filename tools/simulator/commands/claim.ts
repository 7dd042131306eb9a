import { COMMON_OPTIONS, openRobot, text } from "./common";
import type { SimulatorCommand } from "./types";

export const claimCommand: SimulatorCommand = {
  name: "claim",
  summary: "Print a local claim proof for a user (what the robot hands its owner after pairing)",
  usage: "claim --user <uid> [--dir DIR] [--url URL]",
  options: { ...COMMON_OPTIONS, user: { type: "string" } },
  async run({ values, print }) {
    const user = text(values, "user");
    if (!user) throw new Error("--user <uid> is required: the console's claim page shows your user id");
    const robot = await openRobot(values, () => undefined);
    print(robot.issueClaimProof(user));
  },
};
