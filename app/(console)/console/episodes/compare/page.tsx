import type { Metadata } from "next";
import { ComparePlayer, type Alignment, type CompareSide } from "@/components/replay/compare-player";
import { initialFrameUrl, initialWindowRange } from "@/components/replay/initial-view";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, Input, Select } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import type { Ctx } from "@/lib/context";
import { isDomainError } from "@/lib/errors";
import { getReplaySteps, getReplaySummary } from "@/lib/replay";
import { requirePageSession } from "@/server/http/page-context";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Compare episodes" };

async function loadSide(ctx: Ctx, episodeId: string, step: number): Promise<CompareSide | string> {
  try {
    const summary = await getReplaySummary(ctx, episodeId);
    const at = Math.min(step, Math.max(0, summary.step_count - 1));
    const window =
      summary.step_count > 0 ? await getReplaySteps(ctx, episodeId, initialWindowRange(at, summary.step_count)) : null;
    return { summary, initialWindow: window, initialFrameUrl: initialFrameUrl(summary, window, at) };
  } catch (error) {
    if (isDomainError(error) && error.code !== "internal") return error.message;
    throw error;
  }
}

export default async function ComparePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requirePageSession("/console/episodes/compare");
  const search = await searchParams;
  const one = (key: string) => {
    const value = search[key];
    return (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
  };
  const a = one("a");
  const b = one("b");
  const align: Alignment = one("align") === "time" ? "time" : "step";
  const position = Math.max(0, Number.parseInt(one("pos"), 10) || 0);
  const form = (
    <Card title="Episodes to compare">
      <form method="get" className="grid gap-3 sm:grid-cols-[1fr_1fr_auto_auto] sm:items-end">
        <Field label="Left episode" htmlFor="compare-a">
          <Input id="compare-a" name="a" defaultValue={a} placeholder="episode id" required />
        </Field>
        <Field label="Right episode" htmlFor="compare-b">
          <Input id="compare-b" name="b" defaultValue={b} placeholder="episode id" required />
        </Field>
        <Field label="Align by" htmlFor="compare-align">
          <Select id="compare-align" name="align" defaultValue={align}>
            <option value="step">step</option>
            <option value="time">time</option>
          </Select>
        </Field>
        <Button type="submit">Compare</Button>
      </form>
    </Card>
  );
  if (!a || !b) {
    return (
      <>
        <PageHeader
          title="Compare episodes"
          description="Two episodes side by side on one timeline, aligned by step or by time."
        />
        {form}
        <div className="mt-4">
          <EmptyState title="Choose two episodes">
            Enter two episode ids (from the episodes list, or the Compare button of a replay). Both play on one
            timeline, each with its camera frames and charts.
          </EmptyState>
        </div>
      </>
    );
  }
  const [left, right] = await Promise.all([loadSide(session.ctx, a, position), loadSide(session.ctx, b, position)]);
  if (typeof left === "string" || typeof right === "string") {
    return (
      <>
        <PageHeader title="Compare episodes" />
        {form}
        <div className="mt-4 space-y-2" role="alert" data-testid="compare-error">
          {typeof left === "string" && <p className="text-sm text-red-700">Left: {left}</p>}
          {typeof right === "string" && <p className="text-sm text-red-700">Right: {right}</p>}
        </div>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Compare episodes"
        description={
          <>
            <span className="font-mono">{a}</span> and <span className="font-mono">{b}</span> on one timeline
          </>
        }
      />
      <ComparePlayer a={left} b={right} align={align} initialPosition={position} />
    </>
  );
}
