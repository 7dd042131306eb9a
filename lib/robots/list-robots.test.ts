import { afterEach, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { listRobots } from "./list-robots";
import { ROBOT_SORTS, Robots, SHOWN_STATUSES, type Robot } from "./schemas";
import { searchTermsFor } from "./search-terms";
import { offlineAfter } from "./status";

const OPERATOR: Actor = { kind: "user", uid: "op-1", role: "operator", email: "op@example.test" };
const ALICE: Actor = { kind: "user", uid: "alice", role: "owner", email: "alice@example.test" };

let ctx: TestContext;
afterEach(async () => {
  await ctx?.cleanup();
});

const NAMES = ["Kitchen helper", "Garden rover", "Hall sentry", "Lab arm", "Porch greeter"];

/** A fleet of `count` robots: every 3rd owned by alice, every 4th a rover, tags by index, staggered heartbeats. */
async function seed(count: number): Promise<void> {
  const now = ctx.now();
  const ops = [];
  for (let index = 0; index < count; index++) {
    const deviceId = index.toString(16).padStart(8, "0");
    const model = index % 4 === 0 ? "rover-x" : "companion-v1";
    const heard = new Date(now.getTime() - index * 30_000);
    const robot: Robot = {
      ruri: `rcan://continuon.cloud/continuon/${model}/${deviceId}`,
      device_id: deviceId,
      registry: "continuon.cloud",
      manufacturer: "continuon",
      model,
      name: `${NAMES[index % NAMES.length]} ${index}`,
      public_key: null,
      key_fingerprint: null,
      key_registered_at: null,
      key_history: [],
      owner_uid: index % 3 === 0 ? "alice" : null,
      claimed_at: null,
      status: index % 7 === 0 ? "sleeping" : "online",
      last_heartbeat: heard.toISOString(),
      offline_after: offlineAfter(heard, 60, "online"),
      heartbeat_interval_s: 60,
      firmware_version: "1.0.0",
      brain_version: null,
      current_bundle: null,
      endpoint: null,
      battery: null,
      capabilities: [],
      tags: index % 2 === 0 ? ["lab", `batch-${index % 5}`] : [`batch-${index % 5}`],
      registered_at: new Date(now.getTime() - (count - index) * 1000).toISOString(),
      updated_at: now.toISOString(),
      legacy_ids: [],
      provisioning_token_id: null,
      name_sort: "",
      search_terms: [],
    };
    robot.name_sort = robot.name.toLowerCase();
    robot.search_terms = searchTermsFor(robot);
    ops.push({ kind: "create" as const, collection: Robots.name, id: deviceId, data: robot });
  }
  for (let start = 0; start < ops.length; start += 500) await ctx.db.batch(ops.slice(start, start + 500));
}

async function all(actor: Actor, filters: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page = await listRobots(ctx.as(actor), { ...filters, cursor, limit: 7 });
    ids.push(...page.robots.map((robot) => robot.device_id));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
  throw new Error("pagination did not end");
}

describe("listRobots", () => {
  it("serves every combination of filters and sorts from declared indexes", async () => {
    ctx = createTestContext();
    await seed(12);
    const owners = [undefined, "mine", "unclaimed", "all"] as const;
    for (const owner of owners)
      for (const model of [undefined, "rover-x"])
        for (const q of [undefined, "kit", "kitchen helper"])
          for (const tag of [undefined, "lab"])
            for (const status of [undefined, ...SHOWN_STATUSES])
              for (const sort of [undefined, ...ROBOT_SORTS])
                for (const actor of [OPERATOR, ALICE]) {
                  await listRobots(ctx.as(actor), { owner, model, q, tag, status, sort, limit: 3 });
                }
  });

  it("filters on the server and pages through every match exactly once", async () => {
    ctx = createTestContext();
    await seed(60);
    const now = ctx.now().getTime();
    const expectIds = (predicate: (index: number) => boolean) =>
      Array.from({ length: 60 }, (_, index) => index)
        .filter(predicate)
        .map((index) => index.toString(16).padStart(8, "0"))
        .sort();
    const isOnline = (index: number) => now - index * 30_000 + 180_000 > now;

    expect((await all(OPERATOR, {})).sort()).toEqual(expectIds(() => true));
    expect((await all(ALICE, {})).sort()).toEqual(expectIds((index) => index % 3 === 0));
    expect((await all(OPERATOR, { owner: "unclaimed" })).sort()).toEqual(expectIds((index) => index % 3 !== 0));
    expect((await all(OPERATOR, { model: "rover-x", tag: "lab" })).sort()).toEqual(
      expectIds((index) => index % 4 === 0),
    );
    expect((await all(OPERATOR, { q: "kit" })).sort()).toEqual(expectIds((index) => index % 5 === 0));
    expect((await all(OPERATOR, { q: "kitchen 1" })).sort()).toEqual(
      expectIds((index) => index % 5 === 0 && String(index).startsWith("1")),
    );
    expect((await all(OPERATOR, { status: "offline" })).sort()).toEqual(expectIds((index) => !isOnline(index)));
    expect((await all(OPERATOR, { status: "online" })).sort()).toEqual(
      expectIds((index) => isOnline(index) && index % 7 !== 0),
    );
    expect((await all(OPERATOR, { status: "sleeping", tag: "lab" })).sort()).toEqual(
      expectIds((index) => isOnline(index) && index % 7 === 0 && index % 2 === 0),
    );
    expect((await all(ALICE, { q: "garden", tag: "lab" })).sort()).toEqual(
      expectIds((index) => index % 3 === 0 && index % 5 === 1 && index % 2 === 0),
    );
  });

  it("sorts by name, registration and heartbeat", async () => {
    ctx = createTestContext();
    await seed(10);
    const names = (await listRobots(ctx.as(OPERATOR), { sort: "name" })).robots.map((robot) => robot.name);
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    const registered = (await listRobots(ctx.as(OPERATOR), { sort: "registered" })).robots.map((r) => r.device_id);
    expect(registered[0]).toBe("00000009");
    const heard = (await listRobots(ctx.as(OPERATOR), { sort: "heartbeat" })).robots.map((r) => r.device_id);
    expect(heard[0]).toBe("00000000");
  });

  it("serves every list shape at 10 000 robots from a declared index, a page at a time", async () => {
    // The test store runs with strict indexes: a query that would scan the collection instead of
    // reading one index range throws `missing_index`, so each shape below is proven to cost one
    // index page whatever the fleet's size (query latency itself is measured by bench:store).
    ctx = createTestContext();
    await seed(10_000);
    const shapes: Array<Record<string, unknown>> = [
      {},
      { sort: "heartbeat" },
      { q: "gard" },
      { tag: "batch-3", sort: "registered" },
      { status: "online" },
      { status: "offline", model: "rover-x" },
      { owner: "unclaimed", q: "hall" },
    ];
    for (const shape of shapes) {
      const page = await listRobots(ctx.as(OPERATOR), { ...shape, limit: 50 });
      const next = page.nextCursor
        ? await listRobots(ctx.as(OPERATOR), { ...shape, limit: 50, cursor: page.nextCursor })
        : null;
      expect(page.robots.length, JSON.stringify(shape)).toBeGreaterThan(0);
      expect(page.robots.length, JSON.stringify(shape)).toBeLessThanOrEqual(50);
      expect(next?.robots.length ?? 1, JSON.stringify(shape)).toBeGreaterThan(0);
      const seen = new Set(page.robots.map((robot) => robot.device_id));
      for (const robot of next?.robots ?? []) expect(seen.has(robot.device_id), JSON.stringify(shape)).toBe(false);
    }
  });

  it("refuses a foreign cursor and anonymous callers", async () => {
    ctx = createTestContext();
    const error = await listRobots(ctx.as(OPERATOR), { cursor: "not-a-cursor" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "invalid", reason: "invalid_cursor" });
    expect(await listRobots(ctx).catch((e: unknown) => e)).toMatchObject({ code: "unauthenticated" });
  });
});
