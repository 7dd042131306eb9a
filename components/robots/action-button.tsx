"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";

/**
 * A button that POSTs to a console route after a confirmation, then refreshes the page; the
 * server's error message is shown inline. Used for revoking tokens and resetting robot keys.
 */
export function ActionButton({
  url,
  label,
  confirm,
  body,
  variant = "danger",
}: {
  url: string;
  label: string;
  confirm: string;
  body?: Record<string, unknown>;
  variant?: "danger" | "secondary";
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function run() {
    if (!window.confirm(confirm)) return;
    setPending(true);
    setError(null);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    setPending(false);
    if (!response.ok) {
      const answer = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(answer?.error?.message ?? `Failed (${response.status}).`);
      return;
    }
    router.refresh();
  }

  return (
    <span className="inline-flex flex-col items-start">
      <Button type="button" variant={variant} size="sm" disabled={pending} onClick={() => void run()}>
        {pending ? "…" : label}
      </Button>
      {error && (
        <span className="mt-1 text-xs text-red-700" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
