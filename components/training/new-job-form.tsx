"use client";

import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field, Input, Select } from "@/components/ui/input";
import type { DatasetPreview } from "@/lib/training/preview-training-dataset";
import type { TrainingJobView } from "@/lib/training/views";
import { sendJson } from "./training-queries";

export interface ModelChoice {
  model_id: string;
  label: string;
  robot_model: string;
  production: boolean;
}

type JobType = "seed" | "slow_loop" | "finetune";

/**
 * Create a training job from an episode filter. "Count episodes" previews the set (count, robot
 * models, hash) and the server pins it under a preview id; "Create job" sends that id, so the job
 * holds exactly what was counted even while robots keep uploading matching episodes. Changing the
 * filter asks for a new count; an episode of the set deleted since, or a lapsed preview, is
 * refused and asks for one too.
 */
export function NewJobForm({ robotModels, models }: { robotModels: string[]; models: ModelChoice[] }) {
  const router = useRouter();
  const [type, setType] = useState<JobType>("seed");
  const [robotModel, setRobotModel] = useState(robotModels[0] ?? "");
  const [tags, setTags] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [minQuality, setMinQuality] = useState("");
  const [eligibleOnly, setEligibleOnly] = useState(true);
  const [maxEpisodes, setMaxEpisodes] = useState("");
  const [modelBase, setModelBase] = useState("");
  const [batchSize, setBatchSize] = useState("256");
  const [learningRate, setLearningRate] = useState("0.0001");
  const [numSteps, setNumSteps] = useState("10000");
  const [preview, setPreview] = useState<{ key: string; result: DatasetPreview & { counted_at: number } } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const filter = useMemo(() => {
    const value: Record<string, unknown> = { eligible_only: eligibleOnly };
    if (robotModel.trim()) value.robot_model = robotModel.trim();
    const tagList = tags
      .split(",")
      .map((tag) => tag.trim())
      .filter(Boolean);
    if (tagList.length) value.tags = tagList;
    if (from) value.uploaded_from = new Date(`${from}T00:00:00Z`).toISOString();
    if (to) value.uploaded_to = new Date(`${to}T23:59:59.999Z`).toISOString();
    if (minQuality.trim()) value.min_quality = Number(minQuality);
    if (maxEpisodes.trim()) value.max_episodes = Number(maxEpisodes);
    return value;
  }, [robotModel, tags, from, to, minQuality, eligibleOnly, maxEpisodes]);
  const filterKey = JSON.stringify(filter);
  const current = preview && preview.key === filterKey ? preview.result : null;
  const baseChoices = models.filter((model) => !robotModel.trim() || model.robot_model === robotModel.trim());

  async function count() {
    setPending(true);
    setError(null);
    try {
      const result = await sendJson<DatasetPreview>("/api/console/training/preview", filter);
      setPreview({ key: filterKey, result: { ...result, counted_at: Date.now() } });
    } catch (failure) {
      setPreview(null);
      setError((failure as Error).message);
    } finally {
      setPending(false);
    }
  }

  async function create() {
    if (!current) return;
    setPending(true);
    setError(null);
    try {
      const body: Record<string, unknown> = {
        type,
        preview_id: current.preview_id,
        expected_sha256: current.episode_set_sha256,
        hyperparams: {
          batch_size: Number(batchSize),
          learning_rate: Number(learningRate),
          num_steps: Number(numSteps),
        },
      };
      if (modelBase) body.model_base = modelBase;
      const job = await sendJson<TrainingJobView>("/api/console/training/jobs", body);
      router.push(`/console/training/jobs/${job.job_id}`);
    } catch (failure) {
      const reason = (failure as Error & { reason?: string }).reason;
      if (reason === "dataset_changed" || reason === "preview_expired" || reason === "preview_not_found") {
        setPreview(null);
      }
      setError((failure as Error).message);
      setPending(false);
    }
  }

  return (
    <form
      className="space-y-4"
      onSubmit={(event) => {
        event.preventDefault();
        void (current ? create() : count());
      }}
    >
      <Card title="Episodes">
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <Field label="Robot model" htmlFor="robot-model" hint="Episodes of this robot model only.">
            <Input
              id="robot-model"
              list="robot-models"
              value={robotModel}
              onChange={(e) => setRobotModel(e.target.value)}
              placeholder="companion-v1"
            />
            <datalist id="robot-models">
              {robotModels.map((model) => (
                <option key={model} value={model} />
              ))}
            </datalist>
          </Field>
          <Field label="Tags" htmlFor="tags" hint="Comma-separated; every tag must be on the episode.">
            <Input id="tags" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="pick-place, kitchen" />
          </Field>
          <Field label="Minimum quality" htmlFor="min-quality" hint="0 to 1, from the ingest's quality score.">
            <Input
              id="min-quality"
              type="number"
              min={0}
              max={1}
              step={0.05}
              value={minQuality}
              onChange={(e) => setMinQuality(e.target.value)}
            />
          </Field>
          <Field label="Uploaded from" htmlFor="from">
            <Input id="from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </Field>
          <Field label="Uploaded to" htmlFor="to">
            <Input id="to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </Field>
          <Field label="At most" htmlFor="max-episodes" hint="The newest N; empty for all (up to 10 000).">
            <Input
              id="max-episodes"
              type="number"
              min={1}
              max={10000}
              value={maxEpisodes}
              onChange={(e) => setMaxEpisodes(e.target.value)}
            />
          </Field>
        </div>
        <label className="mt-4 flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" checked={eligibleOnly} onChange={(e) => setEligibleOnly(e.target.checked)} />
          Training-eligible episodes only
        </label>
        <div className="mt-4 flex flex-wrap items-center gap-3">
          <Button type="button" variant="secondary" onClick={() => void count()} disabled={pending}>
            Count episodes
          </Button>
          {current && (
            <p className="text-sm text-slate-700" data-testid="preview">
              <strong data-testid="preview-count">{current.selected.toLocaleString()}</strong>{" "}
              {current.selected === 1 ? "episode" : "episodes"}
              {current.matched > current.selected ? ` (of ${current.matched.toLocaleString()} matching)` : ""}
              {current.selected === 0 ? (
                " match this filter: widen it to train on something."
              ) : (
                <>
                  {" · "}
                  {Object.entries(current.robot_models)
                    .map(([model, n]) => `${model}: ${n}`)
                    .join(", ")}
                  {" · set "}
                  <code className="text-xs">{current.episode_set_sha256.slice(0, 12)}…</code>
                  {" · counted at "}
                  <span data-testid="preview-time">{new Date(current.counted_at).toLocaleTimeString()}</span>: the job
                  takes exactly these, not episodes uploaded later
                </>
              )}
            </p>
          )}
          {preview && !current && <p className="text-sm text-amber-700">The filter changed: count again.</p>}
        </div>
      </Card>
      <Card title="Training">
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <Field
            label="Job type"
            htmlFor="job-type"
            hint="Seed trains from scratch; slow loop and fine-tune continue from a model."
          >
            <Select id="job-type" value={type} onChange={(e) => setType(e.target.value as JobType)}>
              <option value="seed">seed</option>
              <option value="slow_loop">slow_loop</option>
              <option value="finetune">finetune</option>
            </Select>
          </Field>
          <Field
            label="Base model"
            htmlFor="model-base"
            hint={type === "slow_loop" ? "Empty: the production model." : "Required for fine-tuning."}
          >
            <Select id="model-base" value={modelBase} onChange={(e) => setModelBase(e.target.value)}>
              <option value="">{type === "slow_loop" ? "production model" : "none"}</option>
              {baseChoices.map((model) => (
                <option key={model.model_id} value={model.model_id}>
                  {model.label}
                  {model.production ? " (production)" : ""}
                </option>
              ))}
            </Select>
          </Field>
          <div />
          <Field label="Batch size" htmlFor="batch-size">
            <Input
              id="batch-size"
              type="number"
              min={1}
              value={batchSize}
              onChange={(e) => setBatchSize(e.target.value)}
            />
          </Field>
          <Field label="Learning rate" htmlFor="learning-rate">
            <Input
              id="learning-rate"
              type="number"
              step="any"
              min={0}
              value={learningRate}
              onChange={(e) => setLearningRate(e.target.value)}
            />
          </Field>
          <Field label="Steps" htmlFor="num-steps">
            <Input
              id="num-steps"
              type="number"
              min={1}
              value={numSteps}
              onChange={(e) => setNumSteps(e.target.value)}
            />
          </Field>
        </div>
      </Card>
      {error && (
        <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" role="alert">
          {error}
        </p>
      )}
      <div className="flex flex-wrap gap-3">
        <Button type="button" onClick={() => void create()} disabled={pending || !current || current.selected === 0}>
          {current ? `Create job with ${current.selected.toLocaleString()} episodes` : "Create job"}
        </Button>
        {!current && (
          <p className="self-center text-sm text-slate-500">
            Count the episodes first: the job takes exactly the set counted.
          </p>
        )}
      </div>
    </form>
  );
}
