"use client";

import { SegmentError } from "@/components/console/segment-error";

export default function OtaError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <SegmentError error={error} reset={reset} area="OTA updates" backHref="/console/ota" />;
}
