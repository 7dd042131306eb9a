import { AreaNotFound } from "@/components/console/role-gate";

export default function ModelNotFound() {
  return <AreaNotFound area="Models" role="operator" thing="Model" listHref="/console/models" listLabel="All models" />;
}
