import { join } from "node:path";
import type { BehaviorOptions, RobotBehavior } from "./behaviors/types";
import { SimulatedRobot } from "./simulated-robot";

export interface FleetOptions {
  baseUrl: string;
  /** Parent folder; robot n lives in `<dir>/robot-<n>`. */
  dir: string;
  count: number;
  /** Needed to register robots that are not registered yet. */
  provisioningToken?: string;
  behaviors: RobotBehavior[];
  behaviorOptions?: BehaviorOptions;
  model?: string;
  output?: (line: string) => void;
}

export interface Fleet {
  robots: SimulatedRobot[];
  /** Stop every robot's behaviors (waits for running requests). */
  stop(): Promise<void>;
}

const NAMES = ["Kitchen helper", "Garden rover", "Hall sentry", "Lab arm", "Porch greeter", "Shop assistant"];

/**
 * Start `count` simulated robots: each loads (or creates) its identity folder, registers when it is
 * new, then runs the behaviors. Robots keep their identities across runs.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const robots: SimulatedRobot[] = [];
  for (let index = 1; index <= options.count; index++) {
    const robot = await SimulatedRobot.open({
      dir: join(options.dir, `robot-${index}`),
      baseUrl: options.baseUrl,
      name: `${NAMES[(index - 1) % NAMES.length]} ${index}`,
      model: options.model,
      output: options.output,
    });
    // With a token, register every time: the server answers a known key idempotently (using no
    // token use), and a robot whose server lost its registry comes back by itself.
    if (options.provisioningToken) {
      const wasRegistered = await robot.isRegistered();
      await robot.register(options.provisioningToken);
      if (!wasRegistered) robot.log(`registered ${robot.ruri}`);
    } else if (!(await robot.isRegistered())) {
      throw new Error(`${robot.deviceId} is not registered yet: pass a provisioning token (--token)`);
    }
    robots.push(robot);
  }
  for (const robot of robots) {
    for (const behavior of options.behaviors) await behavior.start(robot, options.behaviorOptions ?? {});
  }
  return {
    robots,
    async stop() {
      await Promise.all(
        robots.map(async (robot) => {
          await robot.stop();
          for (const behavior of options.behaviors) await behavior.stop?.(robot);
        }),
      );
    },
  };
}
