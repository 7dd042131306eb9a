"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/input";
import { postJson } from "./ota-queries";

export interface BuildableModel {
  model_id: string;
  name: string;
  version: string;
  robot_model: string;
  created_at: string;
}

/** Build a bundle from a production model: version and requirements; the build runs in the background. */
export function BuildBundleForm({
  models,
  suggestions,
}: {
  models: BuildableModel[];
  suggestions: Record<string, string>;
}) {
  const router = useRouter();
  const [modelId, setModelId] = useState(models[0]?.model_id ?? "");
  const model = models.find((candidate) => candidate.model_id === modelId);
  const [version, setVersion] = useState(model ? (suggestions[model.robot_model] ?? "1.0.0") : "1.0.0");
  const [requiresVersion, setRequiresVersion] = useState("");
  const [minBrain, setMinBrain] = useState("");
  const [notes, setNotes] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const bundle = await postJson<{ bundle_id: string }>("/api/console/ota/bundles", {
        model_id: modelId,
        version: version.trim(),
        requires_version: requiresVersion.trim() || null,
        min_brain_version: minBrain.trim() || undefined,
        release_notes: notes.trim() || undefined,
      });
      router.push(`/console/ota/${encodeURIComponent(bundle.bundle_id)}`);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
      setPending(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} className="grid gap-3 sm:grid-cols-2" data-testid="build-form">
      <Field label="Production model" htmlFor="build-model">
        <Select
          id="build-model"
          value={modelId}
          onChange={(event) => {
            setModelId(event.target.value);
            const next = models.find((candidate) => candidate.model_id === event.target.value);
            if (next) setVersion(suggestions[next.robot_model] ?? "1.0.0");
          }}
        >
          {models.map((candidate) => (
            <option key={candidate.model_id} value={candidate.model_id}>
              {candidate.robot_model} · {candidate.name} {candidate.version} ({candidate.model_id})
            </option>
          ))}
        </Select>
      </Field>
      <Field
        label="Bundle version"
        htmlFor="build-version"
        hint="MAJOR.MINOR.PATCH, never used before for this robot model."
      >
        <Input id="build-version" value={version} onChange={(event) => setVersion(event.target.value)} required />
      </Field>
      <Field label="Requires installed version (optional)" htmlFor="build-requires" hint='A range, e.g. ">=1.0.0".'>
        <Input
          id="build-requires"
          value={requiresVersion}
          onChange={(event) => setRequiresVersion(event.target.value)}
        />
      </Field>
      <Field
        label="Minimum robot runtime (optional)"
        htmlFor="build-brain"
        hint="The index's min_brain_version; default 0.0.0."
      >
        <Input id="build-brain" value={minBrain} onChange={(event) => setMinBrain(event.target.value)} />
      </Field>
      <div className="sm:col-span-2">
        <Field label="Release notes" htmlFor="build-notes">
          <Input id="build-notes" value={notes} onChange={(event) => setNotes(event.target.value)} maxLength={4000} />
        </Field>
      </div>
      {error && (
        <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 sm:col-span-2" role="alert">
          {error}
        </p>
      )}
      <div className="sm:col-span-2">
        <Button type="submit" disabled={pending || !modelId}>
          {pending ? "Queuing…" : "Build and sign"}
        </Button>
      </div>
    </form>
  );
}
