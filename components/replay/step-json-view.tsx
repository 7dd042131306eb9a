"use client";

import { useMemo } from "react";
import { prettyJson } from "@/lib/replay/pretty-json";

/** The raw step as stored (exact numbers), indented; every field, numeric or not, shows here. */
export function StepJsonView({ json, step }: { json: string | undefined; step: number }) {
  const text = useMemo(() => (json === undefined ? null : prettyJson(json)), [json]);
  return (
    <div>
      <div className="mb-1 flex items-center justify-between text-xs text-slate-500">
        <span>Step {step.toLocaleString()} as stored</span>
        {json !== undefined && <span>{json.length.toLocaleString()} bytes</span>}
      </div>
      <pre
        data-testid="replay-step-json"
        data-step={json === undefined ? undefined : step}
        className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-[11px] leading-4 text-slate-100"
      >
        {text ?? "Loading step…"}
      </pre>
    </div>
  );
}
