"use client";

import { useMemo, useState } from "react";
import type { FieldGroup, ReplayFieldInfo } from "@/lib/replay/schemas";
import { GROUP_TITLES } from "./field-selection";

/** Choose the charted fields among the numeric ones the episode has, grouped, with a filter. */
export function FieldPicker({
  fields,
  selected,
  onChange,
  onReset,
  notIndexed,
}: {
  fields: ReplayFieldInfo[];
  selected: string[];
  onChange: (fields: string[]) => void;
  onReset: () => void;
  notIndexed: number;
}) {
  const [filter, setFilter] = useState("");
  const chosen = useMemo(() => new Set(selected), [selected]);
  const groups = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const map = new Map<FieldGroup, ReplayFieldInfo[]>();
    for (const field of fields) {
      if (needle && !field.path.toLowerCase().includes(needle)) continue;
      map.set(field.group, [...(map.get(field.group) ?? []), field]);
    }
    return [...map];
  }, [fields, filter]);
  const toggle = (path: string) =>
    onChange(chosen.has(path) ? selected.filter((item) => item !== path) : [...selected, path]);
  return (
    <details className="group relative" data-testid="field-picker">
      <summary className="inline-flex h-8 cursor-pointer list-none items-center rounded-md border border-slate-300 bg-white px-3 text-sm font-medium text-slate-800 hover:bg-slate-50">
        Fields ({selected.length}/{fields.length})
      </summary>
      <div className="absolute right-0 z-30 mt-1 max-h-[70vh] w-80 max-w-[90vw] overflow-auto rounded-lg border border-slate-200 bg-white p-3 shadow-lg">
        <div className="flex gap-2">
          <input
            type="search"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            placeholder="Filter fields"
            aria-label="Filter fields"
            className="h-8 min-w-0 flex-1 rounded border border-slate-300 px-2 text-sm"
          />
          <button
            type="button"
            onClick={onReset}
            className="rounded border border-slate-300 px-2 text-xs hover:bg-slate-50"
          >
            Defaults
          </button>
        </div>
        {fields.length === 0 && (
          <p className="mt-3 text-sm text-slate-600">
            This episode has no numeric fields to chart; its steps show in the JSON view.
          </p>
        )}
        {groups.map(([group, list]) => (
          <fieldset key={group} className="mt-3">
            <legend className="text-xs font-semibold tracking-wide text-slate-500 uppercase">
              {GROUP_TITLES[group]}
            </legend>
            {list.map((field) => (
              <label key={field.path} className="flex items-center gap-2 py-0.5 text-xs text-slate-800">
                <input type="checkbox" checked={chosen.has(field.path)} onChange={() => toggle(field.path)} />
                <span className="truncate font-mono" title={field.path}>
                  {field.path}
                </span>
                <span className="ml-auto shrink-0 text-slate-400 tabular-nums">
                  {field.min === null
                    ? "—"
                    : `${Number(field.min.toPrecision(3))}…${Number((field.max ?? 0).toPrecision(3))}`}
                </span>
              </label>
            ))}
          </fieldset>
        ))}
        {notIndexed > 0 && (
          <p className="mt-3 text-xs text-slate-500">
            {notIndexed} more numeric field{notIndexed === 1 ? "" : "s"} are not charted (past the replay index field
            cap); they show in the JSON view.
          </p>
        )}
      </div>
    </details>
  );
}
