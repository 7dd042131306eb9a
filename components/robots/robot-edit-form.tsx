"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/input";
import type { LookupVisibility } from "@/lib/robots/schemas";

/**
 * Rename a robot, set its tags (comma-separated) and choose whether other robots and users may look
 * it up (see /docs/robot-api#lookup-visibility).
 */
export function RobotEditForm({
  deviceId,
  name,
  tags,
  lookupVisibility,
}: {
  deviceId: string;
  name: string;
  tags: string[];
  lookupVisibility: LookupVisibility;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    setSaved(false);
    const response = await fetch(`/api/robots/${encodeURIComponent(deviceId)}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: String(form.get("name") ?? ""),
        tags: String(form.get("tags") ?? "")
          .split(",")
          .map((tag) => tag.trim())
          .filter(Boolean),
        lookup_visibility: String(form.get("lookup_visibility") ?? lookupVisibility),
      }),
    });
    setPending(false);
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? `Could not save (${response.status}).`);
      return;
    }
    setSaved(true);
    router.refresh();
  }

  return (
    <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2">
      <Field label="Name" htmlFor="robot-name">
        <Input id="robot-name" name="name" defaultValue={name} maxLength={80} required />
      </Field>
      <Field label="Tags" htmlFor="robot-tags" hint="Comma-separated, e.g. lab, floor-2" error={error}>
        <Input id="robot-tags" name="tags" defaultValue={tags.join(", ")} />
      </Field>
      <Field
        label="Lookup"
        htmlFor="robot-lookup-visibility"
        hint="Private: other robots and users get “not found”, as for an unknown robot. Public: they see its name, model, status and capabilities."
      >
        <Select id="robot-lookup-visibility" name="lookup_visibility" defaultValue={lookupVisibility}>
          <option value="private">Private (default)</option>
          <option value="public">Public</option>
        </Select>
      </Field>
      <Button type="submit" variant="secondary" disabled={pending} className="justify-self-start">
        {pending ? "Saving…" : saved ? "Saved" : "Save"}
      </Button>
    </form>
  );
}
