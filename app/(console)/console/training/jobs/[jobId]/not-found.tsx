import { MissingThing } from "@/components/console/console-message";

export default function TrainingJobNotFound() {
  return <MissingThing thing="Training job" listHref="/console/training" listLabel="All training jobs" />;
}
