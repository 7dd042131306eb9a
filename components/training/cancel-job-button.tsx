"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { sendJson } from "./training-queries";

/** Cancel a queued or running job after a confirmation (the reason goes to the audit log). */
export function CancelJobButton({ jobId }: { jobId: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function cancel() {
    const reason = window.prompt(
      "Cancel this job? The worker stops at its next call and the episodes are released.\nReason (optional):",
    );
    if (reason === null) return;
    setPending(true);
    setError(null);
    try {
      await sendJson(
        `/api/console/training/jobs/${encodeURIComponent(jobId)}/cancel`,
        reason.trim() ? { reason: reason.trim() } : {},
      );
      router.refresh();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setPending(false);
    }
  }
  return (
    <div>
      <Button variant="danger" size="sm" onClick={() => void cancel()} disabled={pending}>
        {pending ? "Cancelling…" : "Cancel job"}
      </Button>
      {error && (
        <p className="mt-1 text-xs text-red-700" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
