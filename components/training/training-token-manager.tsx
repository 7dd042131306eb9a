"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field, Input, Select } from "@/components/ui/input";
import { sendJson } from "./training-queries";

/** Create a training token; the secret is shown here once, with a copy button, and never again. */
export function CreateTrainingToken() {
  const router = useRouter();
  const [name, setName] = useState("");
  const [scope, setScope] = useState("training");
  const [days, setDays] = useState("");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [copied, setCopied] = useState(false);

  async function create() {
    setPending(true);
    setError(null);
    setCopied(false);
    try {
      const body: Record<string, unknown> = { name, scopes: [scope] };
      if (days.trim()) body.expires_at = new Date(Date.now() + Number(days) * 86_400_000).toISOString();
      const answer = await sendJson<{ name: string; token: string }>("/api/console/training-tokens", body);
      setCreated({ name: answer.name, token: answer.token });
      setName("");
      router.refresh();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setPending(false);
    }
  }

  return (
    <Card title="New training token">
      <form
        className="grid gap-3 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-end"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <Field label="Name" htmlFor="token-name">
          <Input
            id="token-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="colab — ada"
            required
          />
        </Field>
        <Field label="Scope" htmlFor="token-scope">
          <Select id="token-scope" value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="training">training (run jobs)</option>
            <option value="training:read">training:read (read only)</option>
          </Select>
        </Field>
        <Field label="Expires in (days)" htmlFor="token-days">
          <Input
            id="token-days"
            type="number"
            min={1}
            value={days}
            onChange={(e) => setDays(e.target.value)}
            placeholder="never"
          />
        </Field>
        <Button type="submit" disabled={pending || !name.trim()}>
          Create token
        </Button>
      </form>
      {error && (
        <p className="mt-3 text-sm text-red-700" role="alert">
          {error}
        </p>
      )}
      {created && (
        <div className="mt-4 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm" data-testid="new-token">
          <p className="font-medium text-amber-900">Copy the token for {created.name} now: it is not shown again.</p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code className="break-all rounded bg-white px-2 py-1 text-xs" data-testid="new-token-value">
              {created.token}
            </code>
            <Button
              size="sm"
              variant="secondary"
              onClick={() => void navigator.clipboard?.writeText(created.token).then(() => setCopied(true))}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
          <p className="mt-2 text-xs text-amber-900">In Colab, store it as the secret CONTINUON_TRAINING_TOKEN.</p>
        </div>
      )}
    </Card>
  );
}

export function RevokeTrainingTokenButton({ tokenId, name }: { tokenId: string; name: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function revoke() {
    if (!window.confirm(`Revoke ${name}? Notebooks using it stop at their next call.`)) return;
    setPending(true);
    try {
      await sendJson(`/api/console/training-tokens/${encodeURIComponent(tokenId)}/revoke`, undefined);
      router.refresh();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setPending(false);
    }
  }
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        onClick={() => void revoke()}
        disabled={pending}
        aria-label={`Revoke ${name}`}
      >
        Revoke
      </Button>
      {error && <span className="ml-2 text-xs text-red-700">{error}</span>}
    </>
  );
}
