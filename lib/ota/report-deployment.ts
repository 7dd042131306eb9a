import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { requireRobot, requireRobotSelf } from "@/lib/robots/access";
import { Robots } from "@/lib/robots/schemas";
import { parseInput } from "@/lib/validation";
import { afterDeploymentChange } from "./after-deployment-change";
import type { DeploymentEvent } from "./deployment-transition";
import { recordDeploymentEvent } from "./record-deployment-event";
import { OtaBundles, ZReportInput, type DeploymentState } from "./schemas";

export interface ReportAnswer {
  bundle_id: string;
  /** The deployment's state after the report. */
  state: DeploymentState;
  /** False when the report repeated or trailed what was already known. */
  changed: boolean;
}

/**
 * `POST /api/ota/report {bundle_id, status, error?}`: the signing robot reports what happened with
 * a bundle it was offered. Refused without side effects: an unknown bundle (404 bundle_not_found),
 * another robot model's bundle (403 wrong_robot_model), a bundle this robot was never offered
 * (409 bundle_not_offered). Repeats are answered with the current state and change nothing.
 */
export async function reportDeployment(ctx: Ctx, raw: unknown): Promise<ReportAnswer> {
  const { deviceId } = requireRobot(ctx);
  const input = parseInput(ZReportInput, raw, "body");
  if (input.device_id !== undefined) requireRobotSelf(ctx, input.device_id);
  const [bundle, robot] = await Promise.all([ctx.db.get(OtaBundles, input.bundle_id), ctx.db.get(Robots, deviceId)]);
  if (!bundle) {
    throw new DomainError("not_found", `Bundle ${input.bundle_id.slice(0, 120)} does not exist.`, {
      reason: "bundle_not_found",
    });
  }
  if (!robot) throw new DomainError("not_found", `Robot ${deviceId} is not registered.`, { reason: "robot_not_found" });
  if (bundle.data.robot_model !== robot.data.model) {
    throw new DomainError(
      "forbidden",
      `Bundle ${bundle.id} is for ${bundle.data.robot_model} robots; robot ${deviceId} is a ${robot.data.model}.`,
      { reason: "wrong_robot_model" },
    );
  }
  const error = input.error?.trim() || null;
  const event: DeploymentEvent =
    input.status === "downloaded"
      ? { kind: "downloaded", via: "report" }
      : input.status === "installed"
        ? { kind: "installed" }
        : input.status === "failed"
          ? { kind: "failed", error }
          : { kind: "robot_rolled_back", error };
  const result = await recordDeploymentEvent(ctx, bundle.id, deviceId, event);
  if (!result) {
    throw new DomainError(
      "conflict",
      `Robot ${deviceId} was never offered bundle ${bundle.id}; report only bundles /api/ota/check offered.`,
      { reason: "bundle_not_offered" },
    );
  }
  if (result.changed) {
    if (input.status === "installed" && robot.data.current_bundle !== bundle.data.version) {
      // The registry shows what a robot runs; its own installed report is the freshest word on it.
      await ctx.db.update(Robots, deviceId, { current_bundle: bundle.data.version });
    }
    await afterDeploymentChange(ctx, bundle.id, result.outcomeChanged);
  }
  return { bundle_id: bundle.id, state: result.data.state, changed: result.changed };
}
