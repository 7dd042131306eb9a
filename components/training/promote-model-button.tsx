"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { sendJson } from "./training-queries";

/** Promote a model to production for its robot model (the current one returns to its stage). */
export function PromoteModelButton({
  modelId,
  label,
  current,
}: {
  modelId: string;
  label: string;
  current: string | null;
}) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function promote() {
    const replacing = current ? ` It replaces ${current} in production.` : "";
    if (!window.confirm(`Promote ${label} to production?${replacing} OTA bundles can then be built from it.`)) return;
    setPending(true);
    setError(null);
    try {
      await sendJson(`/api/console/models/${encodeURIComponent(modelId)}/promote`, {});
      router.refresh();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setPending(false);
    }
  }
  return (
    <div>
      <Button size="sm" onClick={() => void promote()} disabled={pending}>
        {pending ? "Promoting…" : "Promote to production"}
      </Button>
      {error && (
        <p className="mt-1 text-xs text-red-700" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
