import type { SimulatedRobot } from "../simulated-robot";
import { createSimulatedBody, RemoteRobotPeer } from "./remote-peer";
import type { BehaviorOptions, RobotBehavior } from "./types";

const peers = new WeakMap<SimulatedRobot, RemoteRobotPeer>();

/** The running peer of a simulated robot (tests and the demo read its state). */
export function remotePeerOf(robot: SimulatedRobot): RemoteRobotPeer | undefined {
  return peers.get(robot);
}

/**
 * Accept remote sessions: keep a signed relay connection, answer WebRTC offers (werift), stream
 * telemetry, execute `set_mode` / `say` and acknowledge them, drive on teleop. The battery is the
 * robot's own (what its heartbeats report); the mode is kept in `robot.state.extra.mode`.
 *
 * Options: `--remote-telemetry-hz N` (default 5), `--remote-webrtc false` (relay only).
 */
export const remoteBehavior: RobotBehavior = {
  name: "remote",
  description: "Keep a relay connection and answer remote sessions: WebRTC or relayed data, telemetry, commands.",
  enabledByDefault: true,
  options: {
    "remote-webrtc": "offer WebRTC (true) or relay data only (false)",
    "remote-telemetry-hz": "telemetry messages per second (5)",
  },
  start(robot: SimulatedRobot, options: BehaviorOptions) {
    const body = createSimulatedBody();
    const peer = new RemoteRobotPeer({
      client: robot.client,
      body,
      clock: "external",
      telemetryHz: Number(options.remoteTelemetryHz ?? 5) || 5,
      webrtc: String(options.remoteWebrtc ?? "true") !== "false",
      log: (message, data) => robot.log(`remote: ${message}${data ? ` ${JSON.stringify(data)}` : ""}`),
      onCommand: (command, ack) => {
        robot.state.extra.mode = body.mode;
        robot.log(`remote: ${command.command.type} → ${ack.status}${ack.response ? ` (${ack.response})` : ""}`);
      },
    });
    peers.set(robot, peer);
    robot.state.extra.mode = body.mode;
    peer.start();
    robot.scheduler.every(
      "remote-telemetry",
      peer.tickIntervalMs,
      () => {
        // The heartbeat behavior owns the battery; telemetry shows the same numbers.
        body.battery = { percent: Math.round(robot.state.battery * 1000) / 10, charging: robot.state.charging };
        peer.tick();
      },
      { jitter: 0 },
    );
  },
  async stop(robot: SimulatedRobot) {
    await peers.get(robot)?.stop();
    peers.delete(robot);
  },
};
