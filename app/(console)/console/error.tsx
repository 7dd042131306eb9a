"use client";

import { SegmentError } from "@/components/console/segment-error";

export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <SegmentError error={error} reset={reset} area="This page" backHref="/console" />;
}
