"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/input";
import type { RolloutPolicy, RolloutStatus } from "@/lib/ota/schemas";
import { ConfirmDialog } from "./confirm-dialog";
import { postJson } from "./ota-queries";

type Action = "stage" | "canary" | "raise" | "production" | "pause" | "resume" | "rollback" | "policy";

export interface RolloutControlsProps {
  bundleId: string;
  version: string;
  robotModel: string;
  status: RolloutStatus;
  targetPercentage: number;
  policy: RolloutPolicy;
  buildReady: boolean;
  /** What a rollback returns robots to (null: nothing to return to). */
  rollbackTarget: string | null;
  /** Another rollout of this robot model is in flight (blocks staging). */
  activeElsewhere: string | null;
}

const TITLES: Record<Action, string> = {
  stage: "Stage this bundle",
  canary: "Approve a canary",
  raise: "Raise the canary",
  production: "Approve production",
  pause: "Pause the rollout",
  resume: "Resume the rollout",
  rollback: "Roll back",
  policy: "Change the health policy",
};

/** The rollout's buttons; each opens a confirmation that says what will happen, then calls the console API. */
export function RolloutControls(props: RolloutControlsProps) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<Action | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [percentage, setPercentage] = useState("10");
  const [note, setNote] = useState("");
  const [policy, setPolicy] = useState({
    error_threshold_pct: String(props.policy.error_threshold_pct),
    min_sample: String(props.policy.min_sample),
    auto_pause: props.policy.auto_pause,
  });
  const { status } = props;

  function show(action: Action) {
    setError(null);
    setNote("");
    if (action === "canary") setPercentage("10");
    if (action === "raise")
      setPercentage(String(Math.min(99, Math.max(props.targetPercentage * 2, props.targetPercentage + 1))));
    setOpen(action);
  }

  const policyBody = () => ({
    error_threshold_pct: Number(policy.error_threshold_pct),
    min_sample: Number(policy.min_sample),
    auto_pause: policy.auto_pause,
  });

  async function confirm() {
    if (!open) return;
    const base = `/api/console/ota/bundles/${encodeURIComponent(props.bundleId)}/rollout`;
    const calls: Record<Action, () => Promise<unknown>> = {
      stage: () => postJson(`${base}/stage`, { policy: policyBody(), note: note || undefined }),
      canary: () =>
        postJson(`${base}/approve`, { to: "canary", target_percentage: Number(percentage), note: note || undefined }),
      raise: () => postJson(`${base}/raise`, { target_percentage: Number(percentage), note: note || undefined }),
      production: () => postJson(`${base}/approve`, { to: "production", note: note || undefined }),
      pause: () => postJson(`${base}/pause`, { reason: note || undefined }),
      resume: () => postJson(`${base}/resume`, { note: note || undefined }),
      rollback: () => postJson(`${base}/rollback`, { reason: note || undefined }),
      policy: () => postJson(`${base}/policy`, { policy: policyBody() }),
    };
    setPending(true);
    setError(null);
    try {
      await calls[open]();
      setOpen(null);
      await queryClient.invalidateQueries({ queryKey: ["ota"] });
      router.refresh();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setPending(false);
    }
  }

  const who = `${props.robotModel} robots`;
  const canRollBack = status === "staged" || props.rollbackTarget !== null;
  const buttons: Array<{
    action: Action;
    label: string;
    variant: "primary" | "secondary" | "danger";
    when: boolean;
    disabled?: string;
  }> = [
    {
      action: "stage",
      label: "Stage",
      variant: "primary",
      when: status === "built",
      disabled: !props.buildReady
        ? "The build is not finished."
        : props.activeElsewhere
          ? `${props.activeElsewhere} is in flight.`
          : undefined,
    },
    { action: "canary", label: "Approve canary…", variant: "primary", when: status === "staged" },
    { action: "raise", label: "Raise %…", variant: "primary", when: status === "canary" },
    {
      action: "production",
      label: "Approve production",
      variant: "secondary",
      when: status === "staged" || status === "canary",
    },
    { action: "pause", label: "Pause", variant: "secondary", when: status === "canary" || status === "production" },
    { action: "resume", label: "Resume", variant: "primary", when: status === "paused" },
    {
      action: "rollback",
      label: "Roll back",
      variant: "danger",
      when: ["staged", "canary", "paused", "production"].includes(status),
      disabled: canRollBack ? undefined : "There is no previous bundle to return to.",
    },
    { action: "policy", label: "Policy…", variant: "secondary", when: !["rolled_back", "superseded"].includes(status) },
  ];

  const policyFields = (
    <div className="grid gap-3 sm:grid-cols-3">
      <Field label="Error threshold %" htmlFor="policy-threshold">
        <Input
          id="policy-threshold"
          type="number"
          min={0}
          max={100}
          step="0.1"
          value={policy.error_threshold_pct}
          onChange={(event) => setPolicy({ ...policy, error_threshold_pct: event.target.value })}
        />
      </Field>
      <Field label="Minimum reports" htmlFor="policy-sample">
        <Input
          id="policy-sample"
          type="number"
          min={1}
          value={policy.min_sample}
          onChange={(event) => setPolicy({ ...policy, min_sample: event.target.value })}
        />
      </Field>
      <label className="flex items-center gap-2 pt-6 text-sm text-slate-800">
        <input
          type="checkbox"
          checked={policy.auto_pause}
          onChange={(event) => setPolicy({ ...policy, auto_pause: event.target.checked })}
        />
        Pause automatically
      </label>
    </div>
  );

  const noteField = (label: string) => (
    <Field label={label} htmlFor="rollout-note">
      <Input id="rollout-note" value={note} maxLength={500} onChange={(event) => setNote(event.target.value)} />
    </Field>
  );

  const percentageField = (
    <Field
      label="Target percentage"
      htmlFor="rollout-percentage"
      hint="Above 0 and below 100; robots once inside stay inside."
    >
      <Input
        id="rollout-percentage"
        type="number"
        min={0.01}
        max={99.99}
        step="0.01"
        value={percentage}
        onChange={(event) => setPercentage(event.target.value)}
      />
    </Field>
  );

  const bodies: Record<Action, ReactNode> = {
    stage: (
      <>
        <p>
          {props.version} becomes the one rollout in flight for {who}. Nothing is offered until you approve a canary.
          The policy below pauses the rollout by itself when too many robots fail.
        </p>
        {policyFields}
        {noteField("Note (optional)")}
      </>
    ),
    canary: (
      <>
        <p>
          Robots in the cohort (a fixed share chosen by a hash of the bundle and the robot) will be offered{" "}
          {props.version} on their next check.
        </p>
        {percentageField}
        {noteField("Approval note (optional)")}
      </>
    ),
    raise: (
      <>
        <p>Now at {props.targetPercentage} %. Robots already offered keep their offer; more robots join the cohort.</p>
        {percentageField}
        {noteField("Approval note (optional)")}
      </>
    ),
    production: (
      <>
        <p>
          Every {props.robotModel} robot will be offered {props.version}. It replaces the current production bundle.
        </p>
        {noteField("Approval note (optional)")}
      </>
    ),
    pause: (
      <>
        <p>No robot will be offered {props.version} (and its download links stop working) until the rollout resumes.</p>
        {noteField("Reason")}
      </>
    ),
    resume: (
      <>
        <p>
          Offers continue where they stopped. The health policy judges what happens from now on, not the failures that
          led to the pause.
        </p>
        {noteField("Approval note (optional)")}
      </>
    ),
    rollback: (
      <>
        <p>
          {props.version} will be offered to no one.{" "}
          {props.rollbackTarget
            ? `Robots that took it will be offered ${props.rollbackTarget} again.`
            : "Nothing was offered yet, so no robot is affected."}{" "}
          This cannot be undone; a fix ships as a new version.
        </p>
        {noteField("Reason")}
      </>
    ),
    policy: policyFields,
  };

  return (
    <div>
      <div className="flex flex-wrap gap-2" data-testid="rollout-controls">
        {buttons
          .filter((button) => button.when)
          .map((button) => (
            <Button
              key={button.action}
              variant={button.variant}
              size="sm"
              disabled={button.disabled !== undefined}
              title={button.disabled}
              onClick={() => show(button.action)}
            >
              {button.label}
            </Button>
          ))}
      </div>
      {open && (
        <ConfirmDialog
          open
          title={TITLES[open]}
          confirmLabel={open === "rollback" ? "Roll back" : open === "pause" ? "Pause" : "Confirm"}
          danger={open === "rollback" || open === "pause"}
          pending={pending}
          error={error}
          onConfirm={() => void confirm()}
          onClose={() => setOpen(null)}
        >
          {bodies[open]}
        </ConfirmDialog>
      )}
    </div>
  );
}
