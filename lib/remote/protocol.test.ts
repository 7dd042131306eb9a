import { describe, expect, it } from "vitest";
import { parseAppMessage } from "./app-messages";
import { iceServersFor, turnRestCredential } from "./ice-servers";
import { encodeRelayMessage, parseRelayMessage } from "./protocol";

const SID = "rs_01k0000000000000000000000a";

describe("relay protocol v1", () => {
  it.each([
    ["offer", { v: 1, type: "offer", sdp: "v=0\r\n" }],
    ["answer with a session", { v: 1, type: "answer", session_id: SID, sdp: "v=0\r\n" }],
    [
      "ice candidate",
      {
        v: 1,
        type: "ice",
        candidate: { candidate: "candidate:1 1 udp 1 10.0.0.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0 },
      },
    ],
    ["end of candidates", { v: 1, type: "ice", candidate: null }],
    ["bye", { v: 1, type: "bye", reason: "done" }],
    ["data with any JSON", { v: 1, type: "data", payload: { type: "telemetry", nested: [1, "a", null] } }],
    ["ping", { v: 1, type: "ping", ts: 12.5 }],
    ["path", { v: 1, type: "path", path: "relayed", connection_type: "tunnel" }],
    ["status", { v: 1, type: "status", state: "peer_joined", session_id: SID, ice_servers: [] }],
    ["error", { v: 1, type: "error", code: "rate_limited", reason: "rate_limited", message: "slow down" }],
  ])("accepts %s", (_name, message) => {
    const result = parseRelayMessage(JSON.stringify(message));
    expect(result).toEqual({ ok: true, message });
  });

  it.each([
    ["not JSON", "{nope", "malformed_json", "Message is not JSON."],
    ["an array", "[1,2]", "not_an_object", "Message must be a JSON object."],
    ["a string", '"offer"', "not_an_object", "Message must be a JSON object."],
    [
      "no version",
      JSON.stringify({ type: "offer", sdp: "x" }),
      "unsupported_version",
      "Message v must be 1, got null.",
    ],
    [
      "version 2",
      JSON.stringify({ v: 2, type: "offer", sdp: "x" }),
      "unsupported_version",
      "Message v must be 1, got 2.",
    ],
    ["unknown type", JSON.stringify({ v: 1, type: "shell", cmd: "ls" }), "invalid_message", 'Invalid "shell": type:'],
    ["offer without sdp", JSON.stringify({ v: 1, type: "offer" }), "invalid_message", 'Invalid "offer": sdp:'],
    ["extra field", JSON.stringify({ v: 1, type: "bye", evil: 1 }), "invalid_message", 'Invalid "bye": (root):'],
    [
      "bad session id",
      JSON.stringify({ v: 1, type: "bye", session_id: "../x" }),
      "invalid_message",
      "session_id: must be a session id",
    ],
    [
      "ice candidate too long",
      JSON.stringify({ v: 1, type: "ice", candidate: { candidate: "x".repeat(2000) } }),
      "invalid_message",
      'Invalid "ice": candidate.candidate:',
    ],
    ["non-finite ping", '{"v":1,"type":"ping","ts":"soon"}', "invalid_message", 'Invalid "ping": ts:'],
    [
      "path value",
      JSON.stringify({ v: 1, type: "path", path: "teleport", connection_type: "webrtc" }),
      "invalid_message",
      'Invalid "path": path:',
    ],
  ])("refuses %s", (_name, text, reason, message) => {
    const result = parseRelayMessage(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.violation.code).toBe("invalid");
    expect(result.violation.reason).toBe(reason);
    expect(result.violation.message).toContain(message);
  });

  it("keeps the id of a refused message as ref", () => {
    const result = parseRelayMessage(JSON.stringify({ v: 1, type: "offer", id: "m-7" }));
    expect(result.ok ? null : result.violation.ref).toBe("m-7");
  });

  it("encodes with the version first", () => {
    expect(encodeRelayMessage({ type: "pong", ts: 5 })).toBe('{"v":1,"type":"pong","ts":5}');
  });
});

describe("application messages v1", () => {
  it.each([
    [{ v: 1, type: "command", id: "c1", command: { type: "set_mode", payload: { mode: "autonomous" } } }],
    [{ v: 1, type: "command", id: "c2", command: { type: "say", payload: { text: "hello" } } }],
    [{ v: 1, type: "teleop", seq: 3, linear: 0.5, angular: -1 }],
    [{ v: 1, type: "ack", id: "c1", status: "completed", response: "mode autonomous" }],
    [{ v: 1, type: "rtt_probe", id: "p1", t: 1 }],
  ])("accepts %j", (message) => {
    expect(parseAppMessage(JSON.stringify(message))).toEqual(message);
  });

  it.each([
    ["an unknown mode", { v: 1, type: "command", id: "c", command: { type: "set_mode", payload: { mode: "dance" } } }],
    ["an unknown command", { v: 1, type: "command", id: "c", command: { type: "reboot", payload: {} } }],
    ["an empty say", { v: 1, type: "command", id: "c", command: { type: "say", payload: { text: " " } } }],
    ["teleop too fast", { v: 1, type: "teleop", seq: 1, linear: 9, angular: 0 }],
    ["a bad ack status", { v: 1, type: "ack", id: "c", status: "pending" }],
  ])("refuses %s", (_name, message) => {
    expect(parseAppMessage(message)).toBeNull();
  });
});

describe("TURN REST API credentials", () => {
  it("username is expiry:subject and the credential is base64 HMAC-SHA1 of it (checked with openssl)", () => {
    const credential = turnRestCredential("turn-shared-secret", {
      subject: "user_alice",
      expiresAt: new Date("2026-06-01T12:00:00.000Z"),
    });
    // printf '%s' "1780315200:user_alice" | openssl dgst -sha1 -hmac "turn-shared-secret" -binary | base64
    expect(credential).toEqual({ username: "1780315200:user_alice", credential: "lJ0f2c+z39/2qKq+538vfNXVxxI=" });
  });

  it("lists STUN without credentials, TURN with them, and nothing when TURN is not configured", () => {
    const expiresAt = new Date("2026-06-01T12:00:00.000Z");
    expect(iceServersFor(undefined, { subject: "u", expiresAt })).toEqual([]);
    const servers = iceServersFor(
      {
        urls: ["stun:turn.example:3478", "turn:turn.example:3478?transport=udp", "turns:turn.example:5349"],
        secret: "s",
      },
      { subject: "robot:abc", expiresAt },
    );
    expect(servers).toEqual([
      { urls: ["stun:turn.example:3478"] },
      {
        urls: ["turn:turn.example:3478?transport=udp", "turns:turn.example:5349"],
        username: "1780315200:robot_abc",
        credential: expect.any(String),
      },
    ]);
  });
});
