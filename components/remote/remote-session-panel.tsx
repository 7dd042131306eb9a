"use client";

import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button, buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Select } from "@/components/ui/input";
import { formatAgo } from "@/lib/format-time";
import {
  ROBOT_MODES,
  type AckMessage,
  type RobotCommand,
  type RobotMode,
  type Telemetry,
} from "@/lib/remote/app-messages";
import { RemoteConnection, type LinkState, type PathInfo } from "./remote-connection";
import { parseSessionKey, readSessionKeyText, type StoredSessionKey } from "./session-keys";

interface CommandEntry {
  id: string;
  label: string;
  sentAt: number;
  /** `sent`: a drive (teleop) message, which robots do not acknowledge. */
  status: "pending" | "sent" | "completed" | "failed";
  detail: string | null;
  latencyMs: number | null;
}

const LINK_LABEL: Record<LinkState, { text: string; tone: Tone }> = {
  connecting: { text: "Connecting to the relay…", tone: "info" },
  waiting_for_robot: { text: "Waiting for the robot", tone: "warn" },
  robot_online: { text: "Connected", tone: "good" },
  robot_offline: { text: "Robot offline", tone: "warn" },
  reconnecting: { text: "Reconnecting…", tone: "warn" },
  ended: { text: "Ended", tone: "neutral" },
};

const ENDED_TEXT: Record<string, string> = {
  bye: "You disconnected.",
  token_expired: "The session's hour is up; connect again from the robot.",
  revoked: "The session was ended (revoked).",
  robot_ended: "The robot ended the session.",
  replaced: "This session was opened in another tab.",
  session_ended: "The session has ended.",
  client_left: "The session ended while this page was away.",
  ownership_changed: "The robot changed hands.",
  protocol_violation: "The relay closed the connection (protocol error).",
  relay_unreachable: "The relay could not be reached, or refused this session.",
};

function pathLabel(path: PathInfo): { text: string; tone: Tone; hint: string } {
  if (path.via === "direct") return { text: "Direct", tone: "good", hint: "peer-to-peer WebRTC data channel" };
  if (path.via === "turn") return { text: "Relayed (TURN)", tone: "warn", hint: "WebRTC through a TURN server" };
  const why: Record<string, string> = {
    negotiating: "trying peer-to-peer…",
    ice_failed: "peer-to-peer blocked (ICE failed)",
    timeout: "peer-to-peer not reachable yet",
    channel_closed: "peer-to-peer path lost",
    webrtc_unavailable: "this browser has no WebRTC",
  };
  return { text: "Relayed", tone: "warn", hint: `through the continuon relay — ${why[path.detail ?? ""] ?? "tunnel"}` };
}

const noSubscription = () => () => undefined;

function formatLeft(ms: number): string {
  if (ms <= 0) return "0:00";
  const total = Math.floor(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/** A live remote session: telemetry, commands, teleop, path, RTT, time left, disconnect. */
export function RemoteSessionPanel({
  sessionId,
  robotName,
  robotId,
}: {
  sessionId: string;
  robotName: string;
  robotId: string;
}) {
  // The token is in this tab's sessionStorage: read on the client only (undefined while server-rendering).
  const keyText = useSyncExternalStore(
    noSubscription,
    () => readSessionKeyText(sessionId),
    () => undefined,
  );
  const key = useMemo<StoredSessionKey | null | undefined>(
    () => (keyText === undefined ? undefined : parseSessionKey(keyText)),
    [keyText],
  );
  const [link, setLink] = useState<LinkState>("connecting");
  const [path, setPath] = useState<PathInfo>({ via: "relay", detail: "negotiating" });
  const [telemetry, setTelemetry] = useState<Telemetry | null>(null);
  const [telemetryAt, setTelemetryAt] = useState<number | null>(null);
  const [rtt, setRtt] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [ended, setEnded] = useState<string | null>(null);
  const [lastError, setLastError] = useState<string | null>(null);
  const [commands, setCommands] = useState<CommandEntry[]>([]);
  const [mode, setMode] = useState<RobotMode>("manual_control");
  const [sayText, setSayText] = useState("");
  const connection = useRef<RemoteConnection | null>(null);
  const teleopSeq = useRef(0);
  const teleopTimer = useRef<ReturnType<typeof setInterval> | null>(null);
  const commandSeq = useRef(0);
  const driving = useRef(false);

  useEffect(() => {
    if (!key) return;
    const remote = new RemoteConnection({
      relayUrl: key.robot_endpoint,
      token: key.session_token,
      iceServers: key.ice_servers,
      events: {
        onLink: setLink,
        onPath: setPath,
        onRtt: setRtt,
        onError: (error) => setLastError(`${error.reason}: ${error.message}`),
        // The token stays in sessionStorage (useless now); saveSessionKey prunes expired ones.
        onEnded: setEnded,
        onApp: (message) => {
          if (message.type === "telemetry") {
            setTelemetry(message);
            setTelemetryAt(Date.now());
          } else if (message.type === "ack") {
            const ack: AckMessage = message;
            setCommands((list) =>
              list.map((entry) =>
                entry.id === ack.id
                  ? {
                      ...entry,
                      status: ack.status,
                      detail: ack.response ?? ack.error ?? null,
                      latencyMs: Math.round(performance.now() - entry.sentAt),
                    }
                  : entry,
              ),
            );
          }
        },
      },
    });
    connection.current = remote;
    remote.start();
    const unload = () => remote.close();
    window.addEventListener("pagehide", unload);
    return () => {
      window.removeEventListener("pagehide", unload);
      remote.close();
      connection.current = null;
    };
  }, [key]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const sendCommand = useCallback((command: RobotCommand, label: string) => {
    const id = `cmd-${Date.now().toString(36)}-${++commandSeq.current}`;
    const sent = connection.current?.send({ v: 1, type: "command", id, command }) ?? false;
    setCommands((list) =>
      [
        {
          id,
          label,
          sentAt: performance.now(),
          status: sent ? ("pending" as const) : ("failed" as const),
          detail: sent ? null : "not connected",
          latencyMs: null,
        },
        ...list,
      ].slice(0, 20),
    );
  }, []);

  const drive = useCallback((linear: number, angular: number) => {
    if (teleopTimer.current) clearInterval(teleopTimer.current);
    teleopTimer.current = null;
    const send = () => connection.current?.send({ v: 1, type: "teleop", seq: teleopSeq.current++, linear, angular });
    const sent = send() ?? false;
    // The log shows each start of a motion and the stop after it (not the repeats while held).
    const moving = linear !== 0 || angular !== 0;
    if (moving || driving.current) {
      const id = `drive-${Date.now().toString(36)}-${++commandSeq.current}`;
      setCommands((list) =>
        [
          {
            id,
            label: moving ? `drive ${linear} m/s, ${angular} rad/s` : "drive stop",
            sentAt: performance.now(),
            status: sent ? ("sent" as const) : ("failed" as const),
            detail: sent ? (moving ? "repeated while held" : null) : "not connected",
            latencyMs: null,
          },
          ...list,
        ].slice(0, 20),
      );
    }
    driving.current = moving;
    // Keep sending while held: the robot's watchdog stops it when they stop coming.
    if (linear !== 0 || angular !== 0) teleopTimer.current = setInterval(send, 100);
  }, []);
  const stop = useCallback(() => drive(0, 0), [drive]);

  useEffect(() => {
    const keys: Record<string, [number, number]> = {
      ArrowUp: [0.4, 0],
      ArrowDown: [-0.3, 0],
      ArrowLeft: [0, 1],
      ArrowRight: [0, -1],
    };
    const down = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
      const motion = keys[event.key];
      if (!motion || event.repeat) return;
      event.preventDefault();
      drive(...motion);
    };
    const up = (event: KeyboardEvent) => {
      if (keys[event.key]) stop();
    };
    window.addEventListener("keydown", down);
    window.addEventListener("keyup", up);
    return () => {
      window.removeEventListener("keydown", down);
      window.removeEventListener("keyup", up);
      if (teleopTimer.current) clearInterval(teleopTimer.current);
    };
  }, [drive, stop]);

  if (key === undefined) return null;
  if (key === null) {
    return (
      <Card>
        <p className="text-sm text-slate-700" data-testid="remote-no-key">
          This session&apos;s token is kept only in the browser tab that opened it, and this tab does not have it.
          Connect again from the robot to start a new session.
        </p>
        <Link href={`/console/remote`} className={buttonClass("secondary", "sm", "mt-3")}>
          Remote sessions
        </Link>
      </Card>
    );
  }

  const expiresMs = Date.parse(key.expires_at) - now;
  const pathInfo = pathLabel(path);
  const linkInfo = LINK_LABEL[link];
  const manual = telemetry?.mode === "manual_control" || telemetry?.mode === "manual_training";
  const live = !ended && link === "robot_online";

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2 rounded-lg border border-slate-200 bg-white p-3">
        <Badge tone={linkInfo.tone} className="text-sm">
          <span data-testid="remote-status">{ended ? "Ended" : linkInfo.text}</span>
        </Badge>
        <Badge tone={ended ? "neutral" : pathInfo.tone} className="text-sm">
          <span data-testid="remote-path" data-path={path.via} title={pathInfo.hint}>
            {pathInfo.text}
          </span>
        </Badge>
        <span className="text-xs text-slate-500" data-testid="remote-path-detail">
          {pathInfo.hint}
        </span>
        <span className="ml-auto flex flex-wrap items-center gap-3 text-sm text-slate-700">
          <span>
            RTT <strong data-testid="remote-rtt">{rtt === null ? "—" : `${rtt} ms`}</strong>
          </span>
          {ended ? (
            <span data-testid="remote-token-ended">Token no longer valid</span>
          ) : (
            <span>
              Token <strong data-testid="remote-time-left">{formatLeft(expiresMs)}</strong> left
            </span>
          )}
          {!ended && (
            <Button
              variant="danger"
              size="sm"
              onClick={() => connection.current?.disconnect()}
              data-testid="remote-disconnect"
            >
              Disconnect
            </Button>
          )}
        </span>
      </div>

      {ended && (
        <div
          className="rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm text-slate-700"
          data-testid="remote-ended"
          data-reason={ended}
        >
          {ENDED_TEXT[ended] ?? `The session ended (${ended}).`}{" "}
          <Link href="/console/remote" className="font-medium text-brand-700">
            Back to remote sessions
          </Link>
        </div>
      )}
      {lastError && !ended && (
        <p className="text-xs text-amber-800" role="status" data-testid="remote-error">
          {lastError}
        </p>
      )}

      <div className="grid gap-4 lg:grid-cols-2">
        <Card
          title="Telemetry"
          actions={
            <span className="text-xs text-slate-500">
              {robotName} · {robotId}
            </span>
          }
        >
          {telemetry ? (
            <dl
              className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm"
              data-testid="remote-telemetry"
              data-seq={telemetry.seq}
            >
              <dt className="text-slate-500">Mode</dt>
              <dd className="font-medium text-slate-900" data-testid="telemetry-mode">
                {telemetry.mode}
              </dd>
              <dt className="text-slate-500">Battery</dt>
              <dd data-testid="telemetry-battery">
                {telemetry.battery.percent}%{telemetry.battery.charging ? " (charging)" : ""}
              </dd>
              <dt className="text-slate-500">Pose x / y / θ</dt>
              <dd className="tabular-nums">
                {telemetry.pose.x.toFixed(2)} / {telemetry.pose.y.toFixed(2)} / {telemetry.pose.theta.toFixed(2)}
              </dd>
              <dt className="text-slate-500">Velocity</dt>
              <dd className="tabular-nums" data-testid="telemetry-velocity">
                {telemetry.velocity.linear.toFixed(2)} m/s · {telemetry.velocity.angular.toFixed(2)} rad/s
              </dd>
              {Object.entries(telemetry.metrics ?? {}).map(([name, value]) => (
                <div key={name} className="contents">
                  <dt className="text-slate-500">{name}</dt>
                  <dd className="tabular-nums">{Number(value.toFixed(2))}</dd>
                </div>
              ))}
              <dt className="text-slate-500">Last said</dt>
              <dd data-testid="telemetry-utterance">{telemetry.last_utterance ?? "—"}</dd>
              <dt className="text-slate-500">Updated</dt>
              <dd className="text-slate-500">
                #{telemetry.seq} · {telemetryAt ? formatAgo(new Date(telemetryAt).toISOString(), now) : ""}
              </dd>
            </dl>
          ) : (
            <p className="text-sm text-slate-500" data-testid="remote-telemetry-empty">
              {link === "waiting_for_robot"
                ? "The robot has no relay connection yet. Check that it is powered and online."
                : "No telemetry yet."}
            </p>
          )}
        </Card>

        <Card title="Commands">
          <div className="space-y-4">
            <form
              className="flex flex-wrap items-end gap-2"
              onSubmit={(event) => {
                event.preventDefault();
                sendCommand({ type: "set_mode", payload: { mode } }, `set_mode ${mode}`);
              }}
            >
              <label className="min-w-48 flex-1 text-sm">
                <span className="mb-1 block font-medium text-slate-800">Mode</span>
                <Select
                  value={mode}
                  onChange={(event) => setMode(event.target.value as RobotMode)}
                  data-testid="command-mode-select"
                >
                  {ROBOT_MODES.map((value) => (
                    <option key={value} value={value}>
                      {value}
                    </option>
                  ))}
                </Select>
              </label>
              <Button type="submit" disabled={!live} data-testid="command-mode-send">
                Set mode
              </Button>
            </form>
            <form
              className="flex flex-wrap items-end gap-2"
              onSubmit={(event) => {
                event.preventDefault();
                if (!sayText.trim()) return;
                sendCommand({ type: "say", payload: { text: sayText.trim() } }, `say "${sayText.trim()}"`);
                setSayText("");
              }}
            >
              <label className="min-w-48 flex-1 text-sm">
                <span className="mb-1 block font-medium text-slate-800">Say</span>
                <Input
                  value={sayText}
                  maxLength={500}
                  onChange={(event) => setSayText(event.target.value)}
                  placeholder="Hello!"
                  data-testid="command-say-text"
                />
              </label>
              <Button
                type="submit"
                variant="secondary"
                disabled={!live || !sayText.trim()}
                data-testid="command-say-send"
              >
                Say
              </Button>
            </form>
            <Button
              variant="danger"
              className="w-full"
              disabled={!live}
              onClick={() => {
                stop();
                sendCommand({ type: "set_mode", payload: { mode: "emergency_stop" } }, "set_mode emergency_stop");
              }}
              data-testid="command-estop"
            >
              Emergency stop
            </Button>
          </div>
        </Card>

        <Card title="Drive" actions={<span className="text-xs text-slate-500">hold a button or an arrow key</span>}>
          {!manual && (
            <p className="mb-3 text-xs text-slate-500">Teleop works in manual_control or manual_training mode.</p>
          )}
          <div className="mx-auto grid max-w-56 grid-cols-3 gap-2" data-testid="teleop-pad">
            {(
              [
                ["", 0, 0],
                ["▲", 0.4, 0],
                ["", 0, 0],
                ["◀", 0, 1],
                ["■", 0, 0],
                ["▶", 0, -1],
                ["", 0, 0],
                ["▼", -0.3, 0],
                ["", 0, 0],
              ] as const
            ).map(([label, linear, angular], index) =>
              label ? (
                <button
                  key={index}
                  type="button"
                  disabled={!live || !manual}
                  aria-label={{ "▲": "forward", "▼": "back", "◀": "left", "▶": "right", "■": "stop" }[label]}
                  className={buttonClass(
                    label === "■" ? "secondary" : "primary",
                    "md",
                    "h-14 text-lg select-none touch-none",
                  )}
                  onPointerDown={() => drive(linear, angular)}
                  onPointerUp={stop}
                  onPointerLeave={stop}
                  onPointerCancel={stop}
                >
                  {label}
                </button>
              ) : (
                <span key={index} />
              ),
            )}
          </div>
        </Card>

        <Card title="Command log">
          {commands.length === 0 ? (
            <p className="text-sm text-slate-500">
              Commands you send and the robot&apos;s acknowledgements appear here.
            </p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="command-log">
              {commands.map((entry) => (
                <li
                  key={entry.id}
                  className="flex flex-wrap items-center gap-2 py-2"
                  data-testid="command-entry"
                  data-status={entry.status}
                  data-label={entry.label}
                >
                  <Badge
                    tone={
                      entry.status === "completed" || entry.status === "sent"
                        ? "good"
                        : entry.status === "failed"
                          ? "bad"
                          : "info"
                    }
                  >
                    {entry.status}
                  </Badge>
                  <span className="font-mono text-xs text-slate-800">{entry.label}</span>
                  {entry.detail && <span className="text-xs text-slate-600">{entry.detail}</span>}
                  {entry.latencyMs !== null && (
                    <span className="ml-auto text-xs text-slate-400">{entry.latencyMs} ms</span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </div>
  );
}
