import type { Ctx } from "@/lib/context";
import type { Doc } from "@/lib/storage/typed";
import type { WorkItem } from "@/lib/work-queue/schemas";
import { afterDeploymentChange } from "./after-deployment-change";
import { writeDeploymentEvent } from "./record-deployment-event";
import { OtaBundles, OtaDeployments } from "./schemas";

const PAGE = 100;

/**
 * The `ota-rollback` worker: after a rollback, every robot that took the bundle (offered,
 * downloaded, installed or failed) gets its deployment marked `rolled_back` (by the rollout), page
 * by page, each robot in its own small transaction with its counters. Re-running it is harmless —
 * done robots no longer match — so a crash part-way resumes where it stopped. The robots are
 * offered the previous bundle by `check` whether or not this has reached them yet.
 */
export async function markRolledBackDeployments(ctx: Ctx, item: Doc<WorkItem>): Promise<void> {
  const bundleId = String(item.data.payload.bundle_id ?? "");
  const bundle = await ctx.db.get(OtaBundles, bundleId);
  if (!bundle || bundle.data.rollout.status !== "rolled_back") return;
  for (;;) {
    const page = await ctx.db.query(OtaDeployments, {
      where: [
        { field: "bundle_id", op: "==", value: bundleId },
        { field: "state", op: "in", value: ["offered", "downloaded", "installed", "failed"] },
      ],
      limit: PAGE,
    });
    if (page.docs.length === 0) break;
    const at = ctx.now().toISOString();
    for (const doc of page.docs) {
      await ctx.db.transaction(async (tx) => {
        const fresh = await tx.get(OtaDeployments, doc.id);
        if (fresh) writeDeploymentEvent(tx, fresh, { kind: "rollout_rolled_back" }, at);
      });
    }
    if (page.docs.length < PAGE) break;
  }
  await afterDeploymentChange(ctx, bundleId, false);
}
