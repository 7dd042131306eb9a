import { AreaNotFound } from "@/components/console/role-gate";

export default function TrainingJobNotFound() {
  return (
    <AreaNotFound
      area="Training"
      role="operator"
      thing="Training job"
      listHref="/console/training"
      listLabel="All training jobs"
    />
  );
}
