import { BEARER_SUBPROTOCOL_PREFIX, SUBPROTOCOL, ZRelayMessage } from "@/lib/remote/protocol";
import { ZListSessionsInput, ZRevokeInput, ZSessionIdInput, ZVerifyInput } from "@/lib/remote/schemas";
import { SIGNAL_PATH } from "@/lib/remote/views";
import type { OperationSpec, WebSocketSpec } from "../types";
import { EXAMPLE_USER, pathParams } from "./common";

const SESSION_VIEW = "The session (`RemoteSessionView`: the stored session plus the relay's live view)";

export const REMOTE_OPERATIONS: OperationSpec[] = [
  {
    method: "POST",
    path: "/api/remote/verify",
    operationId: "verifyRemoteAccess",
    summary: "Prove ownership with the robot's local claim proof and get a session token",
    description:
      "Refused (403) unless the caller owns the robot and the proof is valid; `user_uid` must be the caller. Every attempt is audited.",
    area: "remote",
    auth: ["user"],
    body: { schema: ZVerifyInput },
    responses: {
      200: "`{verified: true, session_token, robot_endpoint (the relay URL), session_id, expires_at, ice_servers[]}`",
    },
  },
  {
    method: "GET",
    path: "/api/remote/session",
    operationId: "getRemoteSession",
    summary: "A session's status, with the relay's live view when this instance holds it",
    area: "remote",
    auth: ["user"],
    query: ZSessionIdInput,
    responses: { 200: SESSION_VIEW },
  },
  {
    method: "POST",
    path: "/api/remote/revoke",
    operationId: "revokeRemoteSession",
    summary: "End a session now: the token stops working and live connections close",
    area: "remote",
    auth: ["user"],
    body: { schema: ZRevokeInput },
    responses: { 200: SESSION_VIEW },
  },
  {
    method: "GET",
    path: "/api/console/remote/sessions",
    operationId: "listRemoteSessions",
    summary: "The console's session lists (`active`: admins), newest first",
    area: "remote",
    auth: ["user"],
    query: ZListSessionsInput,
    responses: { 200: "`{sessions: [sessions], next_cursor}`" },
  },
  {
    method: "POST",
    path: "/api/console/remote/sessions/{sessionId}/end",
    operationId: "endRemoteSession",
    summary: "The console's Disconnect and an admin's End session (audited as a revocation)",
    area: "remote",
    auth: ["user"],
    params: pathParams("sessionId"),
    body: { schema: ZRevokeInput.pick({ reason: true }) },
    responses: { 200: SESSION_VIEW },
  },
];

const session = "rs_01jc4m2x7k9d3f5g8h2j4k6m8n";

/** The relay: one WebSocket per robot (signed upgrade) and per client (session token). */
export const SIGNAL_SOCKET: WebSocketSpec = {
  path: `${SIGNAL_PATH}/{device_id}`,
  operationId: "relaySignal",
  summary: "Signaling and tunnel relay between a robot and a remote client",
  description: `The robot keeps one outbound connection: a GET upgrade request to ${SIGNAL_PATH} (or ${SIGNAL_PATH}/{device_id}) signed like every robot request. A client connects with its session token, either as the subprotocol "${BEARER_SUBPROTOCOL_PREFIX}<session_token>" next to "${SUBPROTOCOL}" (browsers), or as Authorization: Bearer <session_token>. Messages are JSON objects with v: 1 and a type; they are validated, size-limited (64 KiB) and rate-limited, and a refused one is answered with an error message. The relay pairs client and robot by session, forwards offer/answer/ice/bye/data, and closes at token expiry. See /docs/remote/protocol.`,
  area: "remote",
  auth: ["robot", "user"],
  message: ZRelayMessage,
  messageName: "RelayMessage",
  subprotocols: [SUBPROTOCOL],
  examples: [
    {
      id: "ping",
      title: "The robot checks its connection",
      direction: "robot → relay",
      message: { v: 1, type: "ping", ts: 1_780_315_200_000, id: "p-1" },
    },
    {
      id: "pong",
      title: "The relay answers",
      direction: "relay → robot",
      message: { v: 1, type: "pong", ts: 1_780_315_200_000, id: "p-1" },
    },
    {
      id: "peer_joined",
      title: "A client joined a session for this robot",
      direction: "relay → robot",
      message: {
        v: 1,
        type: "status",
        session_id: session,
        state: "peer_joined",
        user_uid: EXAMPLE_USER,
        expires_at: "2026-06-01T13:00:00.000Z",
        ice_servers: [{ urls: "stun:stun.l.google.com:19302" }],
      },
    },
    {
      id: "answer",
      title: "The robot answers the client's offer",
      direction: "robot → relay",
      message: { v: 1, type: "answer", session_id: session, sdp: "v=0\r\no=- 4611 2 IN IP4 127.0.0.1\r\n…" },
    },
    {
      id: "data",
      title: "Application data through the relay (tunnel)",
      direction: "robot → relay",
      message: { v: 1, type: "data", session_id: session, payload: { v: 1, type: "telemetry", seq: 41 } },
    },
    {
      id: "invalid",
      title: "A malformed message…",
      direction: "robot → relay",
      message: { v: 1, type: "answer", session_id: session, sdp: "", id: "a-2" },
      malformed: true,
    },
    {
      id: "error",
      title: "…is refused",
      direction: "relay → robot",
      message: {
        v: 1,
        type: "error",
        code: "invalid",
        reason: "invalid_message",
        message: 'Invalid "answer": sdp: Too small: expected string to have >=1 characters.',
        ref: "a-2",
      },
    },
  ],
};
