"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/input";

/** Rename a robot and set its tags (comma-separated). */
export function RobotEditForm({ deviceId, name, tags }: { deviceId: string; name: string; tags: string[] }) {
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
      <Button type="submit" variant="secondary" disabled={pending} className="justify-self-start">
        {pending ? "Saving…" : saved ? "Saved" : "Save"}
      </Button>
    </form>
  );
}
