/**
 * One simulated robot: an identity folder like a real robot's, a {@link RobotClient} that signs
 * every request, a {@link Scheduler} for its behaviors, and the state a real robot would report.
 *
 * Behaviors (`behaviors/*.ts`) drive it; they use only what is public here:
 * - `robot.client` to call the API (`client.requestJson("POST", "/api/…", {json})`);
 * - `robot.scheduler.every(name, ms, task)` / `after(name, ms, task)` for timing;
 * - `robot.state` for what the robot reports, and `robot.contributeToHeartbeat(fn)` to add fields
 *   to every heartbeat (an OTA behavior adds `current_bundle`, for instance);
 * - `robot.on("heartbeat", (answer) => …)` to react to the server (`answer.pending.ota`, …),
 *   `robot.on("registered", …)`, and `robot.log(message)` to print a line prefixed with the robot.
 */
import { EventEmitter } from "node:events";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createRobotIdentity,
  IDENTITY_FILE,
  loadIdentity,
  saveIdentity,
  type RobotIdentity,
} from "@/tools/robot-client/identity";
import { RobotClient } from "@/tools/robot-client/robot-client";
import { Scheduler } from "./scheduler";

/** Written next to the identity once the robot is registered (a real robot keeps the same fact). */
export const REGISTRATION_FILE = "registration.json";

/** What the server answers to a heartbeat (PRODUCT.md §6.1). */
export interface HeartbeatAnswer {
  server_time: string;
  next_heartbeat_s: number;
  status: string;
  pending: Record<string, unknown>;
}

/** The heartbeat body a robot sends. */
export interface HeartbeatBody {
  status?: "online" | "offline" | "sleeping";
  firmware_version?: string;
  brain_version?: string;
  current_bundle?: string | null;
  endpoint?: { lan_ip?: string | null; lan_port?: number | null; tunnel_url?: string | null };
  battery?: number;
  metrics?: Record<string, number>;
  [field: string]: unknown;
}

/** What a simulated robot reports about itself; behaviors may change it. */
export interface RobotState {
  status: "online" | "offline" | "sleeping";
  firmwareVersion: string;
  brainVersion: string;
  /** Version of the OTA bundle installed, when any. */
  currentBundle: string | null;
  /** 0–1. */
  battery: number;
  charging: boolean;
  lanIp: string;
  /** Free-form state other behaviors keep (installed model, recording flags…). */
  extra: Record<string, unknown>;
}

export interface SimulatedRobotOptions {
  /** The identity folder (`identity.json`, `device_key.pem`, `registration.json`). */
  dir: string;
  /** Server origin, e.g. `http://localhost:3000` (must be the server's PUBLIC_URL: signatures cover it). */
  baseUrl: string;
  identity: RobotIdentity;
  /** Display name sent at registration. */
  name?: string;
  /** Where log lines go; default stdout. */
  output?: (line: string) => void;
  fetch?: typeof fetch;
}

interface RobotEvents {
  heartbeat: [answer: HeartbeatAnswer];
  registered: [registry: Record<string, unknown>];
  error: [task: string, error: unknown];
}

export class SimulatedRobot extends EventEmitter<RobotEvents> {
  readonly dir: string;
  readonly identity: RobotIdentity;
  readonly client: RobotClient;
  readonly scheduler: Scheduler;
  readonly state: RobotState;
  /** The heartbeat interval the server asked for last (seconds). */
  heartbeatIntervalS = 60;
  private readonly name: string | undefined;
  private readonly output: (line: string) => void;
  private readonly contributors: Array<() => Partial<HeartbeatBody>> = [];

  constructor(options: SimulatedRobotOptions) {
    super();
    this.dir = options.dir;
    this.identity = options.identity;
    this.name = options.name;
    this.output = options.output ?? ((line) => process.stdout.write(`${line}\n`));
    this.client = new RobotClient({ identity: options.identity, baseUrl: options.baseUrl, fetch: options.fetch });
    this.scheduler = new Scheduler((task, error) => {
      this.log(`${task} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (this.listenerCount("error") > 0) this.emit("error", task, error);
    });
    const octet = Number.parseInt(options.identity.deviceId.slice(0, 2), 16) % 200;
    this.state = {
      status: "online",
      firmwareVersion: "1.4.2",
      brainVersion: "0.1.0",
      currentBundle: null,
      battery: 0.6 + Math.random() * 0.4,
      charging: false,
      lanIp: `192.168.1.${octet + 20}`,
      extra: {},
    };
  }

  /**
   * Load the robot in `dir`, or create a new identity there (a fresh key pair and RURI). A robot
   * keeps its identity across runs, like real hardware: delete the folder to get a new robot.
   */
  static async open(
    options: Omit<SimulatedRobotOptions, "identity"> & { model?: string; manufacturer?: string; deviceId?: string },
  ): Promise<SimulatedRobot> {
    const exists = await stat(join(options.dir, IDENTITY_FILE)).then(
      () => true,
      () => false,
    );
    let identity: RobotIdentity;
    if (exists) {
      identity = await loadIdentity(options.dir);
    } else {
      identity = createRobotIdentity({
        manufacturer: options.manufacturer,
        model: options.model,
        deviceId: options.deviceId,
      });
      await saveIdentity(options.dir, identity);
    }
    return new SimulatedRobot({ ...options, identity });
  }

  get deviceId(): string {
    return this.identity.deviceId;
  }

  get ruri(): string {
    return this.identity.ruri;
  }

  /** Print a line prefixed with the robot's device id. */
  log(message: string): void {
    this.output(`[${this.identity.deviceId}] ${message}`);
  }

  /** True when `registration.json` says this robot registered (with this key) before. */
  async isRegistered(): Promise<boolean> {
    try {
      const saved = JSON.parse(await readFile(join(this.dir, REGISTRATION_FILE), "utf8")) as { public_key?: string };
      return saved.public_key === this.identity.publicKey;
    } catch {
      return false;
    }
  }

  /** Register the device key with a provisioning token (idempotent on the server for the same key). */
  async register(provisioningToken: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.registerWith({ provisioning_token: provisioningToken }, extra);
  }

  /**
   * Register the device key again after an admin reset it, with the one-time re-enrolment token
   * the reset issued (a provisioning token is refused then). The robot comes back unclaimed.
   */
  async reenrol(reenrolmentToken: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.registerWith({ reenrolment_token: reenrolmentToken }, extra);
  }

  private async registerWith(
    credential: { provisioning_token: string } | { reenrolment_token: string },
    extra: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const registry = await this.client.requestJson<Record<string, unknown>>("POST", "/api/rcan/register", {
      json: {
        ...credential,
        ruri: this.identity.ruri,
        public_key: this.identity.publicKey,
        ...(this.name ? { name: this.name } : {}),
        capabilities: ["telemetry", "camera", "arm"],
        firmware_version: this.state.firmwareVersion,
        brain_version: this.state.brainVersion,
        ...extra,
      },
    });
    await writeFile(
      join(this.dir, REGISTRATION_FILE),
      `${JSON.stringify({ registered_at: new Date().toISOString(), base_url: this.client.url("/"), public_key: this.identity.publicKey, registry }, null, 2)}\n`,
    );
    if (typeof registry.heartbeat_interval_s === "number") this.heartbeatIntervalS = registry.heartbeat_interval_s;
    this.emit("registered", registry);
    return registry;
  }

  /** Add fields to every heartbeat (later contributors win on the same field). */
  contributeToHeartbeat(contributor: () => Partial<HeartbeatBody>): void {
    this.contributors.push(contributor);
  }

  /** The body of the next heartbeat: the robot's state plus what behaviors contribute. */
  heartbeatBody(): HeartbeatBody {
    const body: HeartbeatBody = {
      status: this.state.status,
      firmware_version: this.state.firmwareVersion,
      brain_version: this.state.brainVersion,
      current_bundle: this.state.currentBundle,
      endpoint: { lan_ip: this.state.lanIp, lan_port: 8080, tunnel_url: null },
      battery: Math.round(this.state.battery * 1000) / 1000,
    };
    for (const contributor of this.contributors) Object.assign(body, contributor());
    return body;
  }

  /** Send one heartbeat; remembers the interval the server asks for and tells listeners. */
  async heartbeat(body: HeartbeatBody = this.heartbeatBody()): Promise<HeartbeatAnswer> {
    const answer = await this.client.requestJson<HeartbeatAnswer>("POST", "/api/rcan/heartbeat", { json: body });
    if (answer.next_heartbeat_s > 0) this.heartbeatIntervalS = answer.next_heartbeat_s;
    this.emit("heartbeat", answer);
    return answer;
  }

  /** A local claim proof for `userUid`, as the robot hands its owner after in-person pairing. */
  issueClaimProof(userUid: string): string {
    return this.client.issueClaimProof(userUid);
  }

  /** Stop every behavior (waits for running tasks). */
  async stop(): Promise<void> {
    await this.scheduler.stop();
  }
}
