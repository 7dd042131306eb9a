import { MissingThing } from "@/components/console/console-message";

export default function RemoteSessionNotFound() {
  return <MissingThing thing="Remote session" listHref="/console/remote" listLabel="All sessions" />;
}
