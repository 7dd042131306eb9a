/** Shown while the replay's summary and first steps load. */
export default function Loading() {
  return (
    <div className="animate-pulse space-y-4" aria-busy="true" aria-label="Loading the replay">
      <div className="h-8 w-64 rounded bg-slate-200" />
      <div className="grid gap-4 lg:grid-cols-[minmax(0,5fr)_minmax(0,6fr)]">
        <div className="aspect-[4/3] rounded-md bg-slate-200" />
        <div className="space-y-3">
          <div className="h-40 rounded-lg bg-slate-200" />
          <div className="h-40 rounded-lg bg-slate-200" />
        </div>
      </div>
    </div>
  );
}
