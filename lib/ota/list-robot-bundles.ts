import type { Ctx } from "@/lib/context";
import { Robots } from "@/lib/robots/schemas";
import { requireUser } from "@/lib/users/authorize";
import { OtaDeployments, type DeploymentState } from "./schemas";

export interface RobotBundleRow {
  device_id: string;
  name: string;
  robot_model: string;
  /** The bundle version the robot runs (its own word: heartbeat or installed report). */
  current_bundle: string | null;
  /** The newest bundle the platform offered it, and where that stands. */
  latest: { bundle_id: string; version: string; state: DeploymentState; updated_at: string } | null;
}

/** Which bundle each of the caller's robots runs, and the latest offer (owners see their own robots). */
export async function listRobotBundles(ctx: Ctx): Promise<RobotBundleRow[]> {
  const user = requireUser(ctx, "owner");
  const robots = await ctx.db.query(Robots, {
    where: [{ field: "owner_uid", op: "==", value: user.uid }],
    orderBy: { field: "name_sort" },
    limit: 100,
  });
  return Promise.all(
    robots.docs.map(async (robot) => {
      const recent = await ctx.db.query(OtaDeployments, {
        where: [{ field: "device_id", op: "==", value: robot.id }],
        orderBy: { field: "updated_at", direction: "desc" },
        limit: 1,
      });
      const latest = recent.docs[0]?.data;
      return {
        device_id: robot.id,
        name: robot.data.name,
        robot_model: robot.data.model,
        current_bundle: robot.data.current_bundle,
        latest: latest
          ? { bundle_id: latest.bundle_id, version: latest.version, state: latest.state, updated_at: latest.updated_at }
          : null,
      };
    }),
  );
}
