import { MissingThing } from "@/components/console/console-message";

export default function RobotNotFound() {
  return <MissingThing thing="Robot" listHref="/console/robots" listLabel="All robots" />;
}
