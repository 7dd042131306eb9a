import { AreaNotFound } from "@/components/console/role-gate";

export default function ModelsNotFound() {
  return <AreaNotFound area="Models" role="operator" thing="Page" listHref="/console/models" listLabel="All models" />;
}
