"use client";

import { SegmentError } from "@/components/console/segment-error";

export default function EpisodesError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <SegmentError error={error} reset={reset} area="Episodes" backHref="/console/episodes" />;
}
