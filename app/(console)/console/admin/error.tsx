"use client";

import { SegmentError } from "@/components/console/segment-error";

export default function AdminError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <SegmentError error={error} reset={reset} area="Admin" backHref="/console" />;
}
