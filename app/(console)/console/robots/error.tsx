"use client";

import { SegmentError } from "@/components/console/segment-error";

export default function RobotsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <SegmentError error={error} reset={reset} area="Robots" backHref="/console/robots" />;
}
