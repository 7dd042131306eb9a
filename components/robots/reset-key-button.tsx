"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";

interface KeyResetAnswer {
  reenrolment_token: string;
  reenrolment_expires_at: string;
}

/**
 * An admin resets a robot's key (after a confirmation) and is shown, once, the re-enrolment token
 * to hand to the real robot, with the command that uses it. See /docs/provisioning.
 */
export function ResetKeyButton({
  deviceId,
  robotName,
  serverUrl,
  reissue,
}: {
  deviceId: string;
  robotName: string;
  serverUrl: string;
  /** The key is already cleared: the button issues a new token (the previous one stops working). */
  reissue: boolean;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [issued, setIssued] = useState<KeyResetAnswer | null>(null);
  const [copied, setCopied] = useState(false);

  async function run() {
    const question = reissue
      ? `Issue a new re-enrolment token for ${robotName}? The previous token stops working.`
      : `Reset the key of ${robotName}? Requests signed with its current key will be refused, and it leaves its owner when it re-enrols.`;
    if (!window.confirm(question)) return;
    setPending(true);
    setError(null);
    setCopied(false);
    const response = await fetch(`/api/console/robots/${encodeURIComponent(deviceId)}/reset-key`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        reason: reissue ? "re-enrolment token reissued from the console" : "reset from the console",
      }),
    });
    setPending(false);
    const answer = (await response.json().catch(() => null)) as
      (KeyResetAnswer & { error?: undefined }) | { error?: { message?: string } } | null;
    if (!response.ok || !answer || !("reenrolment_token" in answer)) {
      setError((answer as { error?: { message?: string } } | null)?.error?.message ?? `Failed (${response.status}).`);
      return;
    }
    setIssued(answer);
    router.refresh();
  }

  async function copy() {
    if (!issued) return;
    await navigator.clipboard?.writeText(issued.reenrolment_token).catch(() => undefined);
    setCopied(true);
  }

  return (
    <div className="space-y-3">
      <span className="inline-flex flex-col items-start">
        <Button type="button" variant="danger" size="sm" disabled={pending} onClick={() => void run()}>
          {pending ? "…" : reissue ? "Issue a new re-enrolment token" : "Reset key"}
        </Button>
        {error && (
          <span className="mt-1 text-xs text-red-700" role="alert">
            {error}
          </span>
        )}
      </span>
      {issued && (
        <div className="rounded-lg border border-amber-300 bg-amber-50 p-4" data-testid="reenrolment-token">
          <p className="text-sm font-semibold text-amber-900">
            Hand this re-enrolment token to the robot now: it is shown only once and works once, until{" "}
            {issued.reenrolment_expires_at.replace("T", " ").slice(0, 16)} UTC.
          </p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code
              className="rounded bg-white px-2 py-1 font-mono text-xs break-all"
              data-testid="reenrolment-token-value"
            >
              {issued.reenrolment_token}
            </code>
            <Button type="button" variant="secondary" size="sm" onClick={() => void copy()}>
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
          <p className="mt-3 text-xs text-amber-900">
            A provisioning token no longer registers this device id. When the robot re-enrols with this token it is
            unclaimed: its owner pairs with it and claims it again. A simulated robot re-enrols with:
          </p>
          <pre className="mt-1 overflow-x-auto rounded bg-slate-900 p-2 text-xs text-slate-100">
            npm run sim -- register --url {serverUrl} --reenrolment-token {issued.reenrolment_token}
          </pre>
        </div>
      )}
    </div>
  );
}
