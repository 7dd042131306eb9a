"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";

/** End (revoke) a session from a list: its token stops working and live connections close at once. */
export function EndSessionButton({ sessionId, label = "End" }: { sessionId: string; label?: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function end() {
    if (!window.confirm("End this remote session now? Its connections close immediately.")) return;
    setPending(true);
    setError(null);
    const response = await fetch(`/api/console/remote/sessions/${encodeURIComponent(sessionId)}/end`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({}),
    }).catch(() => null);
    setPending(false);
    if (!response?.ok) {
      const body = (await response?.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? "Could not end the session.");
      return;
    }
    router.refresh();
  }

  return (
    <span className="inline-flex flex-col items-start">
      <Button
        variant="danger"
        size="sm"
        disabled={pending}
        onClick={() => void end()}
        data-testid={`end-session-${sessionId}`}
      >
        {pending ? "Ending…" : label}
      </Button>
      {error && (
        <span className="mt-1 text-xs text-red-700" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
