"use client";

import { SegmentError } from "@/components/console/segment-error";

export default function ModelsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <SegmentError error={error} reset={reset} area="Models" backHref="/console/models" />;
}
