import { AreaNotFound } from "@/components/console/role-gate";

export default function AdminNotFound() {
  return <AreaNotFound area="Admin" role="admin" thing="Page" listHref="/console" listLabel="Back to the overview" />;
}
