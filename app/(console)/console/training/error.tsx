"use client";

import { SegmentError } from "@/components/console/segment-error";

export default function TrainingError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <SegmentError error={error} reset={reset} area="Training" backHref="/console/training" />;
}
