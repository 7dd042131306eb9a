"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/input";
import { sendJson } from "./training-queries";

export interface PolicyValues {
  enabled: boolean;
  min_new_episodes: number;
  min_interval_s: number;
  max_episodes: number;
}

/** Edit one robot model's slow-loop policy; "Evaluate now" runs the decision at once. */
export function SlowLoopPolicyForm({ robotModel, initial }: { robotModel: string; initial: PolicyValues }) {
  const router = useRouter();
  const [enabled, setEnabled] = useState(initial.enabled);
  const [minNew, setMinNew] = useState(String(initial.min_new_episodes));
  const [hours, setHours] = useState(String(initial.min_interval_s / 3600));
  const [maxEpisodes, setMaxEpisodes] = useState(String(initial.max_episodes));
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [pending, setPending] = useState(false);
  const base = `/api/console/training/slow-loop/${encodeURIComponent(robotModel)}`;

  async function save() {
    setPending(true);
    setMessage(null);
    try {
      await sendJson(
        base,
        {
          enabled,
          min_new_episodes: Number(minNew),
          min_interval_s: Math.round(Number(hours) * 3600),
          max_episodes: Number(maxEpisodes),
        },
        "PUT",
      );
      setMessage({ tone: "ok", text: "Saved." });
      router.refresh();
    } catch (failure) {
      setMessage({ tone: "error", text: (failure as Error).message });
    } finally {
      setPending(false);
    }
  }

  async function evaluate() {
    setPending(true);
    setMessage(null);
    try {
      const decision = await sendJson<{ outcome: string; reason: string; job_id: string | null }>(
        `${base}/evaluate`,
        undefined,
      );
      setMessage({
        tone: "ok",
        text:
          decision.outcome === "queued"
            ? `Queued job ${decision.job_id}.`
            : `Waiting: ${decision.reason.replaceAll("_", " ")}.`,
      });
      router.refresh();
    } catch (failure) {
      setMessage({ tone: "error", text: (failure as Error).message });
    } finally {
      setPending(false);
    }
  }

  const id = (name: string) => `${robotModel}-${name}`;
  return (
    <form
      className="space-y-3"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
      aria-label={`Slow-loop policy for ${robotModel}`}
    >
      <label className="flex items-center gap-2 text-sm font-medium text-slate-800">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Queue slow-loop jobs
        automatically
      </label>
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="New episodes needed" htmlFor={id("min")}>
          <Input id={id("min")} type="number" min={1} value={minNew} onChange={(e) => setMinNew(e.target.value)} />
        </Field>
        <Field label="Hours between jobs" htmlFor={id("hours")}>
          <Input
            id={id("hours")}
            type="number"
            min={0}
            step="any"
            value={hours}
            onChange={(e) => setHours(e.target.value)}
          />
        </Field>
        <Field label="Episodes per job (max)" htmlFor={id("max")}>
          <Input
            id={id("max")}
            type="number"
            min={1}
            value={maxEpisodes}
            onChange={(e) => setMaxEpisodes(e.target.value)}
          />
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" size="sm" disabled={pending}>
          Save policy
        </Button>
        <Button type="button" size="sm" variant="secondary" disabled={pending} onClick={() => void evaluate()}>
          Evaluate now
        </Button>
        {message && (
          <span
            className={message.tone === "ok" ? "text-sm text-brand-700" : "text-sm text-red-700"}
            role={message.tone === "error" ? "alert" : "status"}
          >
            {message.text}
          </span>
        )}
      </div>
    </form>
  );
}
