import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { NewJobForm } from "@/components/training/new-job-form";
import { PageHeader } from "@/components/ui/page-header";
import { hasRole } from "@/lib/users/authorize";
import { listModels } from "@/lib/models/list-models";
import { listTrainingRobotModels } from "@/lib/training/list-training-robot-models";
import { requirePageSession } from "@/server/http/page-context";

export const metadata: Metadata = { title: "New training job" };
export const dynamic = "force-dynamic";

export default async function NewTrainingJobPage() {
  const session = await requirePageSession("/console/training/new");
  if (!hasRole(session.user.data.role, "operator")) notFound();
  const [robotModels, models] = await Promise.all([
    listTrainingRobotModels(session.ctx),
    listModels(session.ctx, { limit: 200 }),
  ]);
  return (
    <>
      <PageHeader
        title="New training job"
        description="Choose the episodes with a filter, count them, then create the job: it snapshots exactly those episodes and their set hash."
      />
      <NewJobForm
        robotModels={robotModels}
        models={models.models.map((model) => ({
          model_id: model.model_id,
          label: `${model.name} v${model.version}`,
          robot_model: model.robot_model,
          production: model.stage === "production",
        }))}
      />
    </>
  );
}
