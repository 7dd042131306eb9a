import { afterEach, describe, expect, it } from "vitest";
import type { AppMessage } from "@/lib/remote/app-messages";
import { startRelayHarness, type RelayHarness, type TestSocket } from "@/server/relay/test-harness";
import { RemoteRobotPeer } from "./remote-peer";

let harness: RelayHarness;
let peer: RemoteRobotPeer;
afterEach(async () => {
  await peer?.stop();
  await harness?.close();
});

/** The next application message of `type` the client got through the relay (from message index `after` on). */
async function nextApp<T extends AppMessage["type"]>(
  client: TestSocket,
  type: T,
  after = 0,
): Promise<Extract<AppMessage, { type: T }>> {
  const message = await client.next(
    "data",
    (m) => (m.payload as { type?: string }).type === type && client.received.indexOf(m) >= after,
  );
  return message.payload as Extract<AppMessage, { type: T }>;
}

describe("the simulator's robot peer over the relay (tunnel path)", () => {
  it("streams telemetry, executes set_mode and say with acks, applies teleop only in manual mode, echoes RTT probes", async () => {
    harness = await startRelayHarness();
    peer = new RemoteRobotPeer({ client: harness.robotClient(harness.robot), webrtc: false, telemetryHz: 20 });
    peer.start();
    await peer.connected();
    const session = await harness.openSession();
    const client = harness.connectClient(session.session_token);
    await client.next("status", (m) => m.state === "robot_online");

    const telemetry = await nextApp(client, "telemetry");
    expect(telemetry).toMatchObject({ mode: "idle", battery: { charging: false } });

    const send = (payload: AppMessage) => client.send({ type: "data", payload });
    send({ v: 1, type: "command", id: "c1", command: { type: "set_mode", payload: { mode: "manual_control" } } });
    expect(await nextApp(client, "ack")).toMatchObject({
      id: "c1",
      status: "completed",
      response: "mode idle → manual_control",
    });
    expect(peer.body.mode).toBe("manual_control");

    send({ v: 1, type: "teleop", seq: 1, linear: 0.5, angular: 0.2 });
    send({ v: 1, type: "rtt_probe", id: "p1", t: 123 });
    expect(await nextApp(client, "rtt_reply")).toEqual({ v: 1, type: "rtt_reply", id: "p1", t: 123 });
    expect(peer.body.velocity).toEqual({ linear: 0.5, angular: 0.2 });

    const before = client.received.length;
    send({ v: 1, type: "command", id: "c2", command: { type: "set_mode", payload: { mode: "emergency_stop" } } });
    expect(await nextApp(client, "ack", before)).toMatchObject({ id: "c2", status: "completed" });
    expect(peer.body.velocity).toEqual({ linear: 0, angular: 0 });
    send({ v: 1, type: "teleop", seq: 2, linear: 1, angular: 0 });
    const afterStop = client.received.length;
    send({ v: 1, type: "command", id: "c3", command: { type: "say", payload: { text: "hello" } } });
    expect(await nextApp(client, "ack", afterStop)).toMatchObject({
      id: "c3",
      status: "failed",
      error: "emergency stop engaged",
    });
    expect(peer.body.velocity.linear).toBe(0);

    client.send({ type: "bye" });
    await client.closed;
    await harness.relay.settled();
    expect(peer.activeSessions).toEqual([]);
  });

  it("reconnects to the relay after the connection drops, with a freshly signed upgrade", async () => {
    harness = await startRelayHarness();
    peer = new RemoteRobotPeer({
      client: harness.robotClient(harness.robot),
      webrtc: false,
      backoff: { minMs: 10, maxMs: 50 },
    });
    peer.start();
    await peer.connected();
    // A second connection for the same robot replaces the first (4409): the peer must come back on its own.
    const intruder = harness.connectRobot(harness.robot);
    await intruder.opened;
    intruder.ws.close();
    await intruder.closed;
    await peer.connected();
    await expect.poll(() => harness.relay.isRobotConnected(harness.robot.deviceId)).toBe(true);
  });
});
