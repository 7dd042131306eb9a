import Link from "next/link";
import { EpisodeStatusBadge } from "@/components/episodes/episode-badges";
import { Card } from "@/components/ui/card";
import type { UploadActivity } from "@/lib/episodes/get-upload-activity";

function ago(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return iso.slice(0, 10);
}

/** The overview's upload panel: the last 24 hours' verdicts and the latest uploads. */
export function UploadActivityPanel({ activity, now }: { activity: UploadActivity; now: Date }) {
  const { counts } = activity;
  return (
    <Card
      title="Episode uploads (24 h)"
      actions={
        <Link href="/console/episodes" className="text-sm font-medium text-brand-700 hover:underline">
          All episodes →
        </Link>
      }
    >
      <dl className="grid grid-cols-3 gap-3 text-center" data-testid="upload-activity">
        <div>
          <dt className="text-xs text-slate-500 uppercase">Validated</dt>
          <dd className="text-xl font-semibold text-brand-700 tabular-nums">{counts.validated}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500 uppercase">
            <Link href="/console/episodes/quarantine" className="hover:underline">
              Quarantined
            </Link>
          </dt>
          <dd
            className={`text-xl font-semibold tabular-nums ${counts.rejected > 0 ? "text-red-700" : "text-slate-900"}`}
          >
            {counts.rejected}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500 uppercase">Pending</dt>
          <dd className="text-xl font-semibold text-slate-900 tabular-nums">{counts.pending}</dd>
        </div>
      </dl>
      {activity.recent.length === 0 ? (
        <p className="mt-4 text-sm text-slate-600">
          No episodes yet. Robots upload through <code>POST /api/rlds/signed-url</code>; the simulated fleet (
          <code>npm run demo</code>) uploads one every minute or two.{" "}
          <Link href="/docs/ingestion" className="text-brand-700 hover:underline">
            How ingestion works
          </Link>
        </p>
      ) : (
        <ul className="mt-4 divide-y divide-slate-100 text-sm">
          {activity.recent.map((episode) => (
            <li key={episode.episode_id} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <Link
                href={`/console/episodes/${episode.episode_id}`}
                className="min-w-0 truncate font-mono text-xs text-slate-800 hover:underline"
              >
                {episode.episode_id}
              </Link>
              <span className="flex items-center gap-2 text-xs text-slate-500">
                <EpisodeStatusBadge status={episode.status} />
                {ago(episode.created_at, now)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {activity.approximate && (
        <p className="mt-2 text-xs text-slate-500">Counted from your robots&apos; latest 200 uploads.</p>
      )}
    </Card>
  );
}
