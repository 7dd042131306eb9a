import { z } from "zod";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { DomainError } from "@/lib/errors";
import { productionPrefix } from "@/lib/training/blob-refs";
import { ModelLines } from "@/lib/training/schemas";
import { requireUser } from "@/lib/users/authorize";
import { parseInput } from "@/lib/validation";
import { Models } from "./schemas";
import { toModelView, type ModelView } from "./views";

export const ZPromoteInput = z.object({ note: z.string().trim().max(500).optional() }).strict();

/**
 * An operator promotes a model to production for its robot model (audited). Its files are copied
 * to `models/production/{robot_model}/v{version}/` first (copies are idempotent, so a retry after a
 * crash finishes the job); then one transaction on the robot model's line makes it the production
 * model and returns the previous one to its original stage. The line document serializes
 * promotions, so a robot model never has two production models.
 */
export async function promoteModel(
  ctx: Ctx,
  modelId: string,
  rawInput: unknown = {},
): Promise<{ model: ModelView; replaced_model_id: string | null }> {
  const user = requireUser(ctx, "operator");
  const input = parseInput(ZPromoteInput, rawInput ?? {}, "body");
  const model = await ctx.db.get(Models, modelId);
  if (!model) throw new DomainError("not_found", `Model ${modelId} was not found.`, { reason: "model_not_found" });
  if (model.data.stage === "production") {
    throw new DomainError("conflict", `Model ${model.data.name} v${model.data.version} is already in production.`, {
      reason: "already_production",
    });
  }
  const destination = productionPrefix(model.data.robot_model, model.data.version);
  if (model.data.storage_ref !== destination) {
    for (const file of model.data.files) {
      await ctx.blobs.copy(`${model.data.storage_ref}${file.path}`, `${destination}${file.path}`);
    }
  }
  const now = ctx.now().toISOString();
  return ctx.db.transaction(async (tx) => {
    const current = await tx.get(Models, modelId);
    if (!current) throw new DomainError("not_found", `Model ${modelId} was not found.`, { reason: "model_not_found" });
    if (current.data.stage === "production") {
      throw new DomainError(
        "conflict",
        `Model ${current.data.name} v${current.data.version} is already in production.`,
        {
          reason: "already_production",
        },
      );
    }
    const robotModel = current.data.robot_model;
    const line = await tx.get(ModelLines, robotModel);
    const previousId = line?.data.production_model_id ?? null;
    const previous = previousId && previousId !== modelId ? await tx.get(Models, previousId) : null;
    if (previous) {
      tx.update(Models, previous.id, {
        stage: previous.data.origin_stage ?? "checkpoint",
        retired_at: now,
      });
    }
    const patch = {
      stage: "production" as const,
      origin_stage: current.data.origin_stage ?? (current.data.stage === "seed" ? "seed" : "checkpoint"),
      storage_ref: destination,
      promoted_at: now,
      promoted_by: user.email,
      retired_at: null,
    };
    tx.update(Models, modelId, patch);
    tx.set(ModelLines, robotModel, {
      robot_model: robotModel,
      latest_version: line?.data.latest_version ?? current.data.version,
      production_model_id: modelId,
      slow_loop_job_id: line?.data.slow_loop_job_id ?? null,
      updated_at: now,
    });
    const audit = auditEntry(ctx, {
      action: "model.promote",
      target: { type: "model", id: modelId },
      details: {
        robot_model: robotModel,
        version: current.data.version,
        replaced_model_id: previous?.id ?? null,
        replaced_version: previous?.data.version ?? null,
        note: input.note ?? null,
      },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return {
      model: toModelView({ ...current, data: { ...current.data, ...patch } }),
      replaced_model_id: previous?.id ?? null,
    };
  });
}
