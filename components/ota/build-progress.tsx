"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { describeBuild } from "./build-state";
import { otaQueries } from "./ota-queries";

/**
 * While a bundle builds: what the builder is doing (queued, building attempt N of M, retrying after
 * a failed attempt, with the error), its progress, and a refresh of the page once it is signed or
 * failed.
 */
export function BuildProgress({ bundleId }: { bundleId: string }) {
  const router = useRouter();
  const detail = useQuery({ ...otaQueries.bundle(bundleId), refetchInterval: 1000 });
  const build = detail.data?.build;
  useEffect(() => {
    if (build && (build.status === "ready" || build.status === "failed")) router.refresh();
  }, [build, router]);
  const pct = build?.progress_pct ?? 0;
  const state = build ? describeBuild(build) : null;
  return (
    <div className="space-y-2" data-testid="build-progress">
      <p className="text-sm text-slate-700">
        {build?.status === "queued"
          ? build.error
            ? "Retrying: waiting for the builder…"
            : "Waiting for the builder…"
          : `Streaming, hashing and signing the bundle… ${pct} %`}
      </p>
      <div className="h-2 w-full overflow-hidden rounded-full bg-slate-100">
        <div className="h-full bg-brand-500 transition-all" style={{ width: `${Math.max(3, pct)}%` }} />
      </div>
      {state?.detail && (
        <p className="text-xs text-amber-700" data-testid="build-detail">
          {state.detail}
        </p>
      )}
    </div>
  );
}
