import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BEHAVIORS, resolveBehaviors } from "./behaviors";
import { COMMANDS } from "./commands";
import { Scheduler } from "./scheduler";
import { SimulatedRobot } from "./simulated-robot";

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "robots-sim-"));
  dirs.push(dir);
  return dir;
}

describe("Scheduler", () => {
  it("repeats a task without overlapping it, and stop() cancels what waits", async () => {
    vi.useFakeTimers();
    const scheduler = new Scheduler();
    let runs = 0;
    scheduler.every("tick", 1000, () => void runs++, { jitter: 0 });
    await vi.advanceTimersByTimeAsync(3500);
    expect(runs).toBe(4);
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(4);
    scheduler.after("late", 0, () => void runs++);
    await vi.advanceTimersByTimeAsync(10);
    expect(runs).toBe(4);
  });

  it("reports a failing task and keeps going", async () => {
    vi.useFakeTimers();
    const errors: string[] = [];
    const scheduler = new Scheduler((task, error) => errors.push(`${task}: ${(error as Error).message}`));
    scheduler.every(
      "flaky",
      100,
      () => {
        throw new Error("boom");
      },
      { jitter: 0 },
    );
    await vi.advanceTimersByTimeAsync(250);
    expect(errors).toEqual(["flaky: boom", "flaky: boom", "flaky: boom"]);
    await scheduler.stop();
  });
});

describe("SimulatedRobot", () => {
  it("keeps its identity folder like a robot and signs what it sends", async () => {
    const dir = join(tempDir(), "robot");
    const sent: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
    const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
      sent.push({
        url: String(url),
        headers: init?.headers as Record<string, string>,
        body: new TextDecoder().decode(init?.body as Uint8Array),
      });
      return Response.json({ server_time: "x", next_heartbeat_s: 7, status: "online", pending: {} });
    }) as typeof fetch;
    const robot = await SimulatedRobot.open({
      dir,
      baseUrl: "http://localhost:3000",
      fetch: fetchImpl,
      output: () => undefined,
    });
    expect((statSync(join(dir, "device_key.pem")).mode & 0o777).toString(8)).toBe("600");
    const again = await SimulatedRobot.open({ dir, baseUrl: "http://localhost:3000", output: () => undefined });
    expect(again.deviceId).toBe(robot.deviceId);
    expect(JSON.parse(readFileSync(join(dir, "identity.json"), "utf8")).ruri).toBe(robot.ruri);

    robot.contributeToHeartbeat(() => ({ current_bundle: "1.2.0" }));
    const answers: number[] = [];
    robot.on("heartbeat", (answer) => answers.push(answer.next_heartbeat_s));
    await robot.heartbeat();
    expect(answers).toEqual([7]);
    expect(robot.heartbeatIntervalS).toBe(7);
    expect(sent[0]?.url).toBe("http://localhost:3000/api/rcan/heartbeat");
    expect(sent[0]?.headers["Signature-Input"]).toContain(`keyid="${robot.deviceId}"`);
    expect(JSON.parse(sent[0]?.body ?? "{}")).toMatchObject({ status: "online", current_bundle: "1.2.0" });
    expect(robot.issueClaimProof("usr_1").split(".")).toHaveLength(3);
  });
});

describe("registries", () => {
  it("resolve behaviors by name and refuse unknown ones", () => {
    expect(resolveBehaviors(undefined).map((behavior) => behavior.name)).toContain("heartbeat");
    expect(resolveBehaviors(["heartbeat"])).toEqual([BEHAVIORS.find((behavior) => behavior.name === "heartbeat")]);
    expect(() => resolveBehaviors(["dance"])).toThrow(/unknown behavior "dance"; known: .*heartbeat/);
  });

  it("list every command once", () => {
    const names = COMMANDS.map((command) => command.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["register", "heartbeat", "claim", "fleet"]));
  });
});
