import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import { hasRole, requireUser } from "@/lib/users/authorize";
import { Users } from "@/lib/users/schemas";
import { UNKNOWN_FIRMWARE } from "./facets";
import { FleetFacets, Robots, type Robot } from "./schemas";
import { computeRobotStatus } from "./status";
import { toRobotSummary, type RobotSummary } from "./views";

export interface FacetCount {
  value: string;
  count: number;
}

export interface FleetOverview {
  /** `fleet` for operators and admins, `mine` for owners (their robots only). */
  scope: "fleet" | "mine";
  total: number;
  online: number;
  sleeping: number;
  offline: number;
  /** Robots nobody owns (fleet scope only). */
  unclaimed: number | null;
  byModel: FacetCount[];
  byFirmware: FacetCount[];
  /** The robots heard from most recently. */
  recent: RobotSummary[];
}

const RECENT = 8;
const FACETS_SHOWN = 12;
/** Owners' overviews read their robots directly; beyond this many, counts cover the first ones. */
const OWNER_ROBOTS_READ = 500;

function countBy(robots: Robot[], value: (robot: Robot) => string): FacetCount[] {
  const counts = new Map<string, number>();
  for (const robot of robots) counts.set(value(robot), (counts.get(value(robot)) ?? 0) + 1);
  return [...counts]
    .map(([key, count]) => ({ value: key, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
    .slice(0, FACETS_SHOWN);
}

/**
 * The console overview's fleet panels: online now, offline, unclaimed, recent heartbeats, counts by
 * model and firmware. Operators and admins see the fleet through counts and counters (cheap at any
 * size); owners see their own robots, read directly.
 */
export async function getFleetOverview(ctx: Ctx): Promise<FleetOverview> {
  const user = requireUser(ctx);
  const now = ctx.now();
  const nowIso = now.toISOString();

  if (!hasRole(user.role, "operator")) {
    const profile = await ctx.db.get(Users, user.uid);
    const ids = (profile?.data.robots ?? []).slice(0, OWNER_ROBOTS_READ);
    const robots = (await ctx.db.getMany(Robots, ids))
      .filter((doc): doc is Doc<Robot> => doc !== null && doc.data.owner_uid === user.uid)
      .map((doc) => doc.data);
    const statuses = robots.map((robot) => computeRobotStatus(robot, now));
    return {
      scope: "mine",
      total: robots.length,
      online: statuses.filter((status) => status === "online").length,
      sleeping: statuses.filter((status) => status === "sleeping").length,
      offline: statuses.filter((status) => status === "offline").length,
      unclaimed: null,
      byModel: countBy(robots, (robot) => robot.model),
      byFirmware: countBy(robots, (robot) => robot.firmware_version ?? UNKNOWN_FIRMWARE),
      recent: [...robots]
        .sort((a, b) => b.last_heartbeat.localeCompare(a.last_heartbeat))
        .slice(0, RECENT)
        .map((robot) => toRobotSummary(robot, now)),
    };
  }

  const fresh = { field: "offline_after", op: ">" as const, value: nowIso };
  const [total, online, sleeping, unclaimed, models, firmware, recent] = await Promise.all([
    ctx.db.count(Robots),
    ctx.db.count(Robots, { where: [{ field: "status", op: "==", value: "online" }, fresh] }),
    ctx.db.count(Robots, { where: [{ field: "status", op: "==", value: "sleeping" }, fresh] }),
    ctx.db.count(Robots, { where: [{ field: "owner_uid", op: "==", value: null }] }),
    ctx.db.query(FleetFacets, {
      where: [{ field: "facet", op: "==", value: "model" }],
      orderBy: { field: "count", direction: "desc" },
      limit: FACETS_SHOWN,
    }),
    ctx.db.query(FleetFacets, {
      where: [{ field: "facet", op: "==", value: "firmware" }],
      orderBy: { field: "count", direction: "desc" },
      limit: FACETS_SHOWN,
    }),
    ctx.db.query(Robots, { orderBy: { field: "last_heartbeat", direction: "desc" }, limit: RECENT }),
  ]);
  const facetCounts = (page: typeof models) =>
    page.docs.filter((doc) => doc.data.count > 0).map((doc) => ({ value: doc.data.value, count: doc.data.count }));
  return {
    scope: "fleet",
    total,
    online,
    sleeping,
    offline: Math.max(0, total - online - sleeping),
    unclaimed,
    byModel: facetCounts(models),
    byFirmware: facetCounts(firmware),
    recent: recent.docs.map((doc) => toRobotSummary(doc.data, now)),
  };
}
