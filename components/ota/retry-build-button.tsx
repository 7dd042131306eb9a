"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { postJson } from "./ota-queries";

/** Build a failed bundle again (same version and model; audited), after a confirmation. */
export function RetryBuildButton({ bundleId, version }: { bundleId: string; version: string }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function retry() {
    setPending(true);
    setError(null);
    try {
      await postJson(`/api/console/ota/bundles/${encodeURIComponent(bundleId)}/retry-build`, {});
      router.refresh();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setPending(false);
      setConfirming(false);
    }
  }
  return (
    <div className="flex flex-wrap items-center gap-2">
      {confirming ? (
        <>
          <span className="text-sm text-slate-700">Build {version} again from the same model?</span>
          <Button size="sm" onClick={() => void retry()} disabled={pending}>
            {pending ? "Queuing…" : "Confirm retry"}
          </Button>
          <Button size="sm" variant="secondary" onClick={() => setConfirming(false)} disabled={pending}>
            Cancel
          </Button>
        </>
      ) : (
        <Button size="sm" variant="secondary" onClick={() => setConfirming(true)}>
          Retry build
        </Button>
      )}
      {error && (
        <span className="text-xs text-red-700" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
