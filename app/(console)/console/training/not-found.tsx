import { AreaNotFound } from "@/components/console/role-gate";

export default function TrainingNotFound() {
  return (
    <AreaNotFound
      area="Training"
      role="operator"
      thing="Page"
      listHref="/console/training"
      listLabel="Back to Training"
    />
  );
}
