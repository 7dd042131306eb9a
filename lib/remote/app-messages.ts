/**
 * What a client and a robot say to each other inside a session, version 1: the same JSON whether
 * it travels over the WebRTC data channel (label `control`) or inside relay `data` messages. The
 * relay never reads these; both ends validate with these schemas.
 *
 * Commands keep the shape robots in the field already execute from their command queue
 * (UPSTREAM.md "Remote control in the field"): `{type: "set_mode", payload: {mode}}` and
 * `{type: "say", payload: {text}}`, answered with `completed|failed` and a `response`.
 */
import { z } from "zod";

export const APP_PROTOCOL_VERSION = 1;
/** The WebRTC data channel label both ends use. */
export const DATA_CHANNEL_LABEL = "control";

/** The modes `set_mode` accepts: the field runtime's list. */
export const ROBOT_MODES = [
  "manual_control",
  "manual_training",
  "autonomous",
  "sleep_learning",
  "auto_charging",
  "idle",
  "emergency_stop",
] as const;
export const ZRobotMode = z.enum(ROBOT_MODES);
export type RobotMode = z.infer<typeof ZRobotMode>;

/** Teleop limits: a robot clamps to its own, these bound what a client may ask. */
export const MAX_LINEAR_M_S = 1.5;
export const MAX_ANGULAR_RAD_S = 3;

const ZMessageId = z.string().min(1).max(64);

export const ZRobotCommand = z.discriminatedUnion("type", [
  z.object({ type: z.literal("set_mode"), payload: z.object({ mode: ZRobotMode }).strict() }).strict(),
  z
    .object({ type: z.literal("say"), payload: z.object({ text: z.string().trim().min(1).max(500) }).strict() })
    .strict(),
]);
export type RobotCommand = z.infer<typeof ZRobotCommand>;

/** Client → robot: run a command; the robot answers with an `ack` carrying the same `id`. */
export const ZCommandMessage = z
  .object({ v: z.literal(1), type: z.literal("command"), id: ZMessageId, command: ZRobotCommand })
  .strict();

/** Client → robot: drive. Sent about 10 times a second while held; a robot stops when they stop coming. */
export const ZTeleopMessage = z
  .object({
    v: z.literal(1),
    type: z.literal("teleop"),
    seq: z.number().int().min(0),
    linear: z.number().min(-MAX_LINEAR_M_S).max(MAX_LINEAR_M_S),
    angular: z.number().min(-MAX_ANGULAR_RAD_S).max(MAX_ANGULAR_RAD_S),
  })
  .strict();

/** Robot → client: the outcome of a command (`completed` / `failed`, as the field's command queue). */
export const ZAckMessage = z
  .object({
    v: z.literal(1),
    type: z.literal("ack"),
    id: ZMessageId,
    status: z.enum(["completed", "failed"]),
    response: z.string().max(2000).optional(),
    error: z.string().max(2000).optional(),
  })
  .strict();

/** Robot → client, a few times a second. Unknown extra numbers go in `metrics`. */
export const ZTelemetryMessage = z
  .object({
    v: z.literal(1),
    type: z.literal("telemetry"),
    seq: z.number().int().min(0),
    /** Robot clock, unix milliseconds. */
    t: z.number(),
    mode: ZRobotMode,
    battery: z.object({ percent: z.number().min(0).max(100), charging: z.boolean() }),
    pose: z.object({ x: z.number(), y: z.number(), theta: z.number() }),
    velocity: z.object({ linear: z.number(), angular: z.number() }),
    metrics: z.record(z.string().max(40), z.number()).optional(),
    /** What the robot last said (`say`). */
    last_utterance: z.string().max(500).nullable().optional(),
  })
  .strict();
export type Telemetry = z.infer<typeof ZTelemetryMessage>;

/** Either end: measure the round trip over whatever path carries application data. */
export const ZRttProbe = z
  .object({ v: z.literal(1), type: z.literal("rtt_probe"), id: ZMessageId, t: z.number() })
  .strict();
export const ZRttReply = z
  .object({ v: z.literal(1), type: z.literal("rtt_reply"), id: ZMessageId, t: z.number() })
  .strict();

export const ZAppMessage = z.discriminatedUnion("type", [
  ZCommandMessage,
  ZTeleopMessage,
  ZAckMessage,
  ZTelemetryMessage,
  ZRttProbe,
  ZRttReply,
]);
export type AppMessage = z.infer<typeof ZAppMessage>;
export type CommandMessage = z.infer<typeof ZCommandMessage>;
export type AckMessage = z.infer<typeof ZAckMessage>;
export type TeleopMessage = z.infer<typeof ZTeleopMessage>;

/** Parse an application message (from a data channel string or a relay `data` payload); null when invalid. */
export function parseAppMessage(value: unknown): AppMessage | null {
  let candidate = value;
  if (typeof value === "string") {
    try {
      candidate = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const result = ZAppMessage.safeParse(candidate);
  return result.success ? result.data : null;
}
