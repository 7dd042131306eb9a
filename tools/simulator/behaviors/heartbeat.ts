import type { SimulatedRobot } from "../simulated-robot";
import type { BehaviorOptions, RobotBehavior } from "./types";

/** Battery change per heartbeat: a slow drain, a faster charge below 15 % until 95 %. */
function updateBattery(robot: SimulatedRobot): void {
  const state = robot.state;
  if (state.charging) {
    state.battery = Math.min(1, state.battery + 0.02);
    if (state.battery >= 0.95) state.charging = false;
  } else {
    state.battery = Math.max(0, state.battery - 0.002 - Math.random() * 0.004);
    if (state.battery < 0.15) state.charging = true;
  }
}

/** Heartbeat at the interval the server asks for, with battery and a few live metrics. */
export const heartbeatBehavior: RobotBehavior = {
  name: "heartbeat",
  description: "Report alive at the server's interval, with battery, CPU and temperature.",
  enabledByDefault: true,
  start(robot: SimulatedRobot, options: BehaviorOptions) {
    robot.contributeToHeartbeat(() => ({
      metrics: {
        cpu_pct: Math.round(20 + Math.random() * 40),
        temperature_c: Math.round((40 + Math.random() * 15) * 10) / 10,
        charging: robot.state.charging ? 1 : 0,
      },
    }));
    robot.scheduler.every(
      "heartbeat",
      () => (options.heartbeatIntervalS ?? robot.heartbeatIntervalS) * 1000,
      async () => {
        updateBattery(robot);
        await robot.heartbeat();
      },
      { jitter: 0.1, initialDelayMs: Math.random() * 1000 },
    );
  },
};
