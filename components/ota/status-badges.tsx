import { Badge, type Tone } from "@/components/ui/badge";
import type { DeploymentState, OtaBundle, RolloutStatus } from "@/lib/ota/schemas";
import { describeBuild } from "./build-state";

const ROLLOUT_TONE: Record<RolloutStatus, Tone> = {
  built: "neutral",
  staged: "info",
  canary: "warn",
  production: "good",
  paused: "bad",
  rolled_back: "bad",
  superseded: "neutral",
};

export function RolloutStatusBadge({ status, percentage }: { status: RolloutStatus; percentage?: number }) {
  const label = status === "canary" && percentage !== undefined ? `canary ${percentage} %` : status.replace("_", " ");
  return (
    <Badge tone={ROLLOUT_TONE[status]} className="whitespace-nowrap">
      <span data-testid="rollout-status">{label}</span>
    </Badge>
  );
}

const STATE_TONE: Record<DeploymentState, Tone> = {
  offered: "neutral",
  downloaded: "info",
  installed: "good",
  failed: "bad",
  rolled_back: "warn",
};

export function DeploymentStateBadge({ state }: { state: DeploymentState }) {
  return <Badge tone={STATE_TONE[state]}>{state.replace("_", " ")}</Badge>;
}

export function BuildStatusBadge({ build }: { build: OtaBundle["build"] }) {
  const state = describeBuild(build);
  return (
    <span data-testid="build-status">
      <Badge tone={state.tone}>{state.label}</Badge>
    </span>
  );
}
