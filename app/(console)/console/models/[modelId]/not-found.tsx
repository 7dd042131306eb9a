import { MissingThing } from "@/components/console/console-message";

export default function ModelNotFound() {
  return <MissingThing thing="Model" listHref="/console/models" listLabel="All models" />;
}
