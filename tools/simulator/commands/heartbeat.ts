import { heartbeatBehavior } from "../behaviors/heartbeat";
import { COMMON_OPTIONS, openRobot, positiveNumber, text } from "./common";
import type { SimulatorCommand } from "./types";

export const heartbeatCommand: SimulatorCommand = {
  name: "heartbeat",
  summary: "Send one signed heartbeat (or keep heartbeating with --loop until Ctrl-C)",
  usage: "heartbeat [--dir DIR] [--url URL] [--status online|sleeping|offline] [--battery 0.8] [--loop] [--interval S]",
  options: {
    ...COMMON_OPTIONS,
    status: { type: "string" },
    battery: { type: "string" },
    loop: { type: "boolean" },
    interval: { type: "string" },
  },
  async run({ values, print, stopRequested }) {
    const robot = await openRobot(values, print);
    const status = text(values, "status");
    if (status !== undefined && !["online", "sleeping", "offline"].includes(status)) {
      throw new Error(`--status must be online, sleeping or offline, got "${status}"`);
    }
    if (status) robot.state.status = status as "online" | "sleeping" | "offline";
    if (text(values, "battery") !== undefined) robot.state.battery = Number(text(values, "battery"));
    if (!values.loop) {
      print(JSON.stringify(await robot.heartbeat(), null, 2));
      return;
    }
    robot.on("heartbeat", (answer) => robot.log(`heartbeat → ${answer.status}, next in ${answer.next_heartbeat_s} s`));
    const interval = text(values, "interval") ? positiveNumber(values, "interval", 60) : undefined;
    await heartbeatBehavior.start(robot, { heartbeatIntervalS: interval });
    await stopRequested;
    await robot.stop();
  },
};
