import { z } from "zod";
import type { Ctx } from "@/lib/context";
import { approveRollout } from "@/lib/ota/approve-rollout";
import { getBundle } from "@/lib/ota/get-bundle";
import { pauseRollout } from "@/lib/ota/pause-rollout";
import { raiseRollout } from "@/lib/ota/raise-rollout";
import { resumeRollout } from "@/lib/ota/resume-rollout";
import { rollbackRollout } from "@/lib/ota/rollback-rollout";
import { stageRollout } from "@/lib/ota/stage-rollout";
import { updateRolloutPolicy } from "@/lib/ota/update-rollout-policy";
import { withUser } from "@/server/auth/with-user";
import { createRoute } from "@/server/http/route";

const ACTIONS = {
  stage: stageRollout,
  approve: approveRollout,
  raise: raiseRollout,
  pause: pauseRollout,
  resume: resumeRollout,
  rollback: rollbackRollout,
  policy: updateRolloutPolicy,
} satisfies Record<string, (ctx: Ctx, raw: unknown) => Promise<unknown>>;

// POST /api/console/ota/bundles/{bundle_id}/rollout/{stage|approve|raise|pause|resume|rollback|policy} — an operator moves a rollout (audited)
export const POST = createRoute(
  withUser("operator"),
  {
    params: z.object({
      bundle_id: z.string().max(200),
      action: z.enum(Object.keys(ACTIONS) as [keyof typeof ACTIONS]),
    }),
    body: z.record(z.string(), z.unknown()),
    maxBodyBytes: 8 * 1024,
  },
  async ({ ctx, params, body }) => {
    await ACTIONS[params.action](ctx, { ...body, bundle_id: params.bundle_id });
    const detail = await getBundle(ctx, params.bundle_id);
    return {
      bundle_id: detail.bundle.id,
      ...detail.bundle.data,
      health: detail.health,
      track: detail.track,
      rollback_target: detail.rollback_target,
    };
  },
);
