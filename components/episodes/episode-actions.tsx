"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";

async function call(url: string, method: "POST" | "DELETE"): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method, headers: { accept: "application/json" } });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown> & {
    error?: { message?: string };
  };
  if (!response.ok) throw new Error(body.error?.message ?? `${method} failed (${response.status})`);
  return body;
}

/**
 * Operator actions on a quarantined episode: re-validate it from its raw upload (after a
 * validator change), or delete it with its raw upload. Both ask first and are audited.
 */
export function EpisodeActions({
  episodeId,
  afterDelete = "/console/episodes/quarantine",
  compact = false,
}: {
  episodeId: string;
  afterDelete?: string;
  compact?: boolean;
}) {
  const router = useRouter();
  const [pending, setPending] = useState<"revalidate" | "delete" | null>(null);
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const base = `/api/console/episodes/${encodeURIComponent(episodeId)}`;

  async function revalidate() {
    if (!window.confirm(`Re-validate ${episodeId} from its raw upload with the current rules?`)) return;
    setPending("revalidate");
    setMessage(null);
    try {
      const answer = await call(`${base}/revalidate`, "POST");
      setMessage({
        tone: "ok",
        text: answer.status === "validated" ? "Validated and promoted." : "Still rejected: see the reasons.",
      });
      router.refresh();
    } catch (error) {
      setMessage({ tone: "error", text: (error as Error).message });
    } finally {
      setPending(null);
    }
  }

  async function remove() {
    if (!window.confirm(`Delete ${episodeId} and its raw upload? This cannot be undone.`)) return;
    setPending("delete");
    setMessage(null);
    try {
      await call(base, "DELETE");
      router.push(afterDelete);
      router.refresh();
    } catch (error) {
      setMessage({ tone: "error", text: (error as Error).message });
      setPending(null);
    }
  }

  return (
    <div className={compact ? "flex flex-wrap items-center gap-2" : "flex flex-wrap items-center gap-3"}>
      <Button size="sm" variant="secondary" onClick={() => void revalidate()} disabled={pending !== null}>
        {pending === "revalidate" ? "Re-validating…" : "Re-validate"}
      </Button>
      <Button size="sm" variant="danger" onClick={() => void remove()} disabled={pending !== null}>
        {pending === "delete" ? "Deleting…" : "Delete"}
      </Button>
      {message && (
        <span
          role={message.tone === "error" ? "alert" : "status"}
          className={message.tone === "error" ? "text-xs text-red-700" : "text-xs text-slate-600"}
        >
          {message.text}
        </span>
      )}
    </div>
  );
}
