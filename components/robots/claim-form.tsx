"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { rememberClaimProof } from "@/components/remote/session-keys";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/input";

/** Paste a claim proof or load it from a file, then claim the robot it names. */
export function ClaimForm() {
  const router = useRouter();
  const [proof, setProof] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function loadFile(file: File | undefined) {
    if (!file) return;
    if (file.size > 16 * 1024) {
      setError("That file is too large to be a claim proof.");
      return;
    }
    setProof((await file.text()).trim());
    setError(null);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    const response = await fetch("/api/robots/claim", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ local_claim_proof: proof.trim() }),
    });
    const body = (await response.json().catch(() => null)) as {
      robot?: { device_id: string };
      error?: { message?: string };
    } | null;
    setPending(false);
    if (!response.ok || !body?.robot) {
      setError(body?.error?.message ?? `The claim failed (${response.status}).`);
      return;
    }
    // The same proof opens remote sessions: keep it on this device so Connect needs no pasting.
    rememberClaimProof(body.robot.device_id, proof);
    router.push(`/console/robots/${encodeURIComponent(body.robot.device_id)}?claimed=1`);
    router.refresh();
  }

  return (
    <form onSubmit={submit} className="space-y-4">
      <Field
        label="Claim proof"
        htmlFor="claim-proof"
        error={error}
        hint="Three base64url parts joined by dots (a compact JWS)."
      >
        <textarea
          id="claim-proof"
          name="local_claim_proof"
          value={proof}
          onChange={(event) => setProof(event.target.value)}
          rows={5}
          spellCheck={false}
          className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs break-all text-slate-900 shadow-xs focus:border-brand-500 focus:ring-2 focus:ring-brand-200 focus:outline-none"
          placeholder="eyJhbGciOiJFZERTQSIsInR5cCI6InJjYW4tY2xhaW0rand0Iiwia2lkIjoi…"
        />
      </Field>
      <div className="flex flex-wrap items-center gap-3">
        <label className="text-sm text-slate-700">
          <span className="mr-2">…or load it from a file</span>
          <input
            type="file"
            accept=".jwt,.jws,.txt,text/plain"
            aria-label="Claim proof file"
            onChange={(event) => void loadFile(event.target.files?.[0])}
            className="text-sm"
          />
        </label>
      </div>
      <Button type="submit" disabled={pending || proof.trim() === ""}>
        {pending ? "Claiming…" : "Claim robot"}
      </Button>
    </form>
  );
}
