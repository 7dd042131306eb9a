import { MissingThing } from "@/components/console/console-message";

export default function BundleNotFound() {
  return <MissingThing thing="Bundle" listHref="/console/ota" listLabel="All bundles" />;
}
