"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { BundleVerification } from "@/lib/ota/verify-bundle";
import { postJson } from "./ota-queries";

/** Re-read the stored bundle and check size, checksum and signature, now. */
export function VerifyButton({ bundleId }: { bundleId: string }) {
  const [result, setResult] = useState<BundleVerification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function run() {
    setPending(true);
    setError(null);
    try {
      setResult(
        await postJson<BundleVerification>(`/api/console/ota/bundles/${encodeURIComponent(bundleId)}/verify`, {}),
      );
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setPending(false);
    }
  }
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button size="sm" variant="secondary" onClick={() => void run()} disabled={pending}>
        {pending ? "Verifying…" : "Verify now"}
      </Button>
      {result && (
        <span data-testid="verify-result" className="flex flex-wrap gap-1">
          <Badge tone={result.ok ? "good" : "bad"}>{result.ok ? "verified" : "does not verify"}</Badge>
          <Badge tone={result.checksum_ok ? "good" : "bad"}>checksum</Badge>
          <Badge tone={result.signature_ok ? "good" : "bad"}>signature ({result.key_id})</Badge>
          <Badge tone={result.size_ok ? "good" : "bad"}>size</Badge>
        </span>
      )}
      {error && <span className="text-xs text-red-700">{error}</span>}
    </div>
  );
}
