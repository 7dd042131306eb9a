import type { Metadata } from "next";
import Link from "next/link";
import { SlowLoopPolicyForm } from "@/components/training/slow-loop-policy-form";
import { age } from "@/components/training/status-badges";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { listSlowLoopPolicies } from "@/lib/training/list-slow-loop-policies";
import { DEFAULT_SLOW_LOOP } from "@/lib/training/schemas";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Slow loop" };
export const dynamic = "force-dynamic";

export default async function SlowLoopPage() {
  const session = await requirePageSession("/console/training/slow-loop");
  const data = await loadOr404(() => listSlowLoopPolicies(session.ctx));
  const now = session.ctx.now();
  const policies = new Map(data.policies.map((policy) => [policy.robot_model, policy]));
  const robotModels = [...new Set([...data.robot_models.map((line) => line.robot_model), ...policies.keys()])].sort();
  const lines = new Map(data.robot_models.map((line) => [line.robot_model, line]));
  return (
    <>
      <PageHeader
        title="Slow loop"
        description="Per robot model: when enough new training-eligible episodes have arrived since the last job, queue a slow-loop job that continues from the production model. Never two queued at once."
      />
      {robotModels.length === 0 ? (
        <EmptyState title="No robot models with models yet">
          The slow loop improves a production model. Train a seed model first (
          <Link href="/console/training/new" className="text-brand-700">
            New job
          </Link>
          ), then promote it on its model page; its robot model then appears here.
        </EmptyState>
      ) : (
        <div className="space-y-4">
          {robotModels.map((robotModel) => {
            const policy = policies.get(robotModel);
            const line = lines.get(robotModel);
            return (
              <Card key={robotModel} title={robotModel}>
                <p className="mb-3 text-sm text-slate-600">
                  Production model:{" "}
                  {line?.production_model_id ? (
                    <Link
                      href={`/console/models/${line.production_model_id}`}
                      className="text-brand-700 hover:underline"
                    >
                      {line.production_model_id}
                    </Link>
                  ) : (
                    <span className="text-amber-700">none yet (promote one; the slow loop starts from it)</span>
                  )}
                  {policy?.last_decision && (
                    <>
                      {" · "}last evaluated {age(policy.last_decision.at, now)}:{" "}
                      <span data-testid={`slow-loop-decision-${robotModel}`}>
                        {policy.last_decision.outcome === "queued" ? (
                          <Link
                            href={`/console/training/jobs/${policy.last_decision.job_id}`}
                            className="text-brand-700 hover:underline"
                          >
                            queued {policy.last_decision.job_id}
                          </Link>
                        ) : (
                          `waiting (${policy.last_decision.reason.replaceAll("_", " ")}${policy.last_decision.new_episodes !== null ? `, ${policy.last_decision.new_episodes} new` : ""})`
                        )}
                      </span>
                    </>
                  )}
                </p>
                <SlowLoopPolicyForm
                  robotModel={robotModel}
                  initial={{
                    enabled: policy?.enabled ?? false,
                    min_new_episodes: policy?.min_new_episodes ?? DEFAULT_SLOW_LOOP.min_new_episodes,
                    min_interval_s: policy?.min_interval_s ?? DEFAULT_SLOW_LOOP.min_interval_s,
                    max_episodes: policy?.max_episodes ?? DEFAULT_SLOW_LOOP.max_episodes,
                  }}
                />
              </Card>
            );
          })}
        </div>
      )}
    </>
  );
}
