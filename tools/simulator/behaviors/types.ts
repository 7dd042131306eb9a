import type { SimulatedRobot } from "../simulated-robot";

/** Options every behavior receives (from the CLI or the demo). */
export interface BehaviorOptions {
  /** Override the server's heartbeat interval (seconds); testing only. */
  heartbeatIntervalS?: number;
  /** Anything a behavior reads by its own name (`--episodes-every 30` → `{episodesEvery: "30"}`). */
  [option: string]: unknown;
}

/**
 * Something a simulated robot does on its own: heartbeat, record episodes, take OTA updates, answer
 * remote sessions. A behavior lives in its own file under `behaviors/` and is listed once in
 * `behaviors/index.ts`. `start` schedules its work on `robot.scheduler` (never raw timers), so
 * stopping the robot stops it; `stop` is for anything else it holds (sockets).
 */
export interface RobotBehavior {
  /** Short name used on the command line (`--behaviors heartbeat,episodes`). */
  name: string;
  description: string;
  /** Whether `fleet` runs it when `--behaviors` is not given. */
  enabledByDefault: boolean;
  /**
   * The `fleet` options this behavior reads, flag → one line of help. `fleet` accepts exactly these
   * (and lists them in its `--help`); `--episodes-steps 3000` reaches `start` as `{episodesSteps: "3000"}`.
   */
  options?: Record<string, string>;
  start(robot: SimulatedRobot, options: BehaviorOptions): void | Promise<void>;
  stop?(robot: SimulatedRobot): void | Promise<void>;
}
