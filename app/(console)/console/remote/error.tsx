"use client";

import { SegmentError } from "@/components/console/segment-error";

export default function RemoteError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <SegmentError error={error} reset={reset} area="Remote sessions" backHref="/console/remote" />;
}
