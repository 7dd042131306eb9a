import { MissingThing } from "@/components/console/console-message";

export default function EpisodeNotFound() {
  return <MissingThing thing="Episode" listHref="/console/episodes" listLabel="All episodes" />;
}
