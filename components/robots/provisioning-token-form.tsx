"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/input";

const EXPIRY_CHOICES = [
  { label: "Never", days: 0 },
  { label: "1 day", days: 1 },
  { label: "7 days", days: 7 },
  { label: "30 days", days: 30 },
  { label: "1 year", days: 365 },
];

interface Created {
  token: string;
  token_id: string;
  model: string;
}

/** Create a provisioning token; the token is shown here once, with the command that uses it. */
export function ProvisioningTokenForm({ serverUrl }: { serverUrl: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [copied, setCopied] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const days = Number(form.get("expires_days") ?? 0);
    const maxUses = String(form.get("max_uses") ?? "").trim();
    setPending(true);
    setError(null);
    const response = await fetch("/api/console/provisioning-tokens", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: String(form.get("model") ?? "").trim(),
        manufacturer: String(form.get("manufacturer") ?? "").trim() || null,
        label: String(form.get("label") ?? "").trim() || undefined,
        expires_at: days > 0 ? new Date(Date.now() + days * 86_400_000).toISOString() : null,
        max_uses: maxUses === "" ? null : Number(maxUses),
      }),
    });
    const body = (await response.json().catch(() => null)) as (Created & { error?: { message?: string } }) | null;
    setPending(false);
    if (!response.ok || !body?.token) {
      setError(body?.error?.message ?? `Could not create the token (${response.status}).`);
      return;
    }
    setCreated(body);
    setCopied(false);
    event.currentTarget?.reset();
    router.refresh();
  }

  async function copy() {
    if (!created) return;
    await navigator.clipboard?.writeText(created.token).catch(() => undefined);
    setCopied(true);
  }

  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5" aria-label="New provisioning token">
        <Field label="Robot model" htmlFor="pt-model" hint="As in RURIs, e.g. companion-v1">
          <Input id="pt-model" name="model" required pattern="[a-z0-9][a-z0-9-]*[a-z0-9]" defaultValue="companion-v1" />
        </Field>
        <Field label="Manufacturer" htmlFor="pt-manufacturer" hint="Optional">
          <Input id="pt-manufacturer" name="manufacturer" placeholder="any" pattern="[a-z0-9][a-z0-9-]*[a-z0-9]" />
        </Field>
        <Field label="Label" htmlFor="pt-label" hint="Optional, for people">
          <Input id="pt-label" name="label" maxLength={80} placeholder="Lab fleet, batch 3" />
        </Field>
        <Field label="Expires" htmlFor="pt-expires">
          <Select id="pt-expires" name="expires_days" defaultValue="30">
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.days} value={choice.days}>
                {choice.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Use limit" htmlFor="pt-uses" hint="Empty: unlimited">
          <Input id="pt-uses" name="max_uses" type="number" min={1} placeholder="unlimited" />
        </Field>
        <div className="sm:col-span-2 lg:col-span-5">
          <Button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create token"}
          </Button>
          {error && (
            <p className="mt-2 text-sm text-red-700" role="alert">
              {error}
            </p>
          )}
        </div>
      </form>
      {created && (
        <div className="rounded-lg border border-amber-300 bg-amber-50 p-4" data-testid="new-token">
          <p className="text-sm font-semibold text-amber-900">Copy this token now: it is shown only once.</p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code className="rounded bg-white px-2 py-1 font-mono text-xs break-all" data-testid="new-token-value">
              {created.token}
            </code>
            <Button type="button" variant="secondary" size="sm" onClick={() => void copy()}>
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
          <p className="mt-3 text-xs text-amber-900">Provision a simulated {created.model} robot with it:</p>
          <pre className="mt-1 overflow-x-auto rounded bg-slate-900 p-2 text-xs text-slate-100">
            npm run sim -- register --url {serverUrl} --token {created.token}
          </pre>
        </div>
      )}
    </div>
  );
}
