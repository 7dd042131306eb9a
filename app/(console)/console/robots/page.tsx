import type { Metadata } from "next";
import Link from "next/link";
import { ago, batteryText, StatusBadge } from "@/components/robots/status-badge";
import { buttonClass, ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Select } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { listRobots } from "@/lib/robots/list-robots";
import { hasRole } from "@/lib/users/authorize";
import { requirePageSession } from "@/server/http/page-context";

export const metadata: Metadata = { title: "Robots" };
export const dynamic = "force-dynamic";

type Search = {
  q?: string;
  status?: string;
  model?: string;
  tag?: string;
  owner?: string;
  sort?: string;
  cursor?: string;
};

const STATUSES = ["online", "sleeping", "offline"] as const;
const SORTS = [
  { value: "name", label: "Name" },
  { value: "heartbeat", label: "Last heartbeat" },
  { value: "registered", label: "Newest" },
] as const;

function pick<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.includes(value as T) ? (value as T) : undefined;
}

export default async function RobotsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const session = await requirePageSession("/console/robots");
  const search = await searchParams;
  const fleet = hasRole(session.user.data.role, "operator");
  const filters = {
    q: search.q?.trim() || undefined,
    status: pick(search.status, STATUSES),
    model: search.model?.trim() || undefined,
    tag: search.tag?.trim().toLowerCase() || undefined,
    owner: fleet ? pick(search.owner, ["all", "mine", "unclaimed"] as const) : undefined,
    sort: pick(search.sort, ["name", "heartbeat", "registered"] as const),
  };
  const page = await listRobots(session.ctx, { ...filters, cursor: search.cursor || null, limit: 50 });
  const filtered = Object.values(filters).some((value) => value !== undefined && value !== "all");
  const query = new URLSearchParams(
    Object.entries(filters).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
  const now = session.ctx.now();
  return (
    <>
      <PageHeader
        title="Robots"
        description={
          fleet
            ? "Every robot registered with this deployment. Status is computed from heartbeats: offline after 3 missed intervals."
            : "The robots you own. Status is computed from heartbeats: offline after 3 missed intervals."
        }
        actions={
          <ButtonLink href="/console/claim" variant="secondary" size="sm">
            Claim a robot
          </ButtonLink>
        }
      />
      <form method="get" className="mb-4 grid gap-2 sm:grid-cols-3 lg:grid-cols-7" aria-label="Filter robots">
        <Input
          name="q"
          placeholder="Search name, id, model, tag"
          defaultValue={filters.q}
          aria-label="Search"
          className="lg:col-span-2"
        />
        <Select name="status" defaultValue={filters.status ?? ""} aria-label="Status">
          <option value="">Any status</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </Select>
        <Input name="model" placeholder="Model" defaultValue={filters.model} aria-label="Model" />
        <Input name="tag" placeholder="Tag" defaultValue={filters.tag} aria-label="Tag" />
        {fleet ? (
          <Select name="owner" defaultValue={filters.owner ?? "all"} aria-label="Owner">
            <option value="all">Any owner</option>
            <option value="mine">Mine</option>
            <option value="unclaimed">Unclaimed</option>
          </Select>
        ) : null}
        <Select name="sort" defaultValue={filters.sort ?? "name"} aria-label="Sort">
          {SORTS.map((sort) => (
            <option key={sort.value} value={sort.value}>
              Sort: {sort.label}
            </option>
          ))}
        </Select>
        <div className="flex gap-2 sm:col-span-3 lg:col-span-7">
          <button type="submit" className={buttonClass("primary", "sm")}>
            Apply
          </button>
          {filtered && (
            <Link href="/console/robots" className={buttonClass("ghost", "sm")}>
              Clear
            </Link>
          )}
          {page.sort === "status" && (
            <span className="self-center text-xs text-slate-500">Filtered by status: ordered by last heartbeat.</span>
          )}
        </div>
      </form>
      {page.robots.length === 0 ? (
        filtered || search.cursor ? (
          <EmptyState title="No robots match">Change or clear the filters to see more robots.</EmptyState>
        ) : fleet ? (
          <EmptyState
            title="No robots yet"
            action={<ButtonLink href="/console/admin/provisioning">Provisioning tokens</ButtonLink>}
          >
            Robots appear here when they register with a provisioning token. Create a token, then run{" "}
            <code>npm run sim -- fleet --count 3 --token &lt;token&gt;</code> to register a simulated fleet.
          </EmptyState>
        ) : (
          <EmptyState
            title="You have no robots yet"
            action={<ButtonLink href="/console/claim">Claim a robot</ButtonLink>}
          >
            A robot becomes yours when you claim it with the proof it gives you after pairing in person.
          </EmptyState>
        )
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Robot</Th>
              <Th>Status</Th>
              <Th>Last heartbeat</Th>
              <Th>Model</Th>
              <Th>Firmware</Th>
              <Th>Battery</Th>
              <Th>Tags</Th>
              {fleet && <Th>Owner</Th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.robots.map((robot) => (
              <tr key={robot.device_id} data-testid={`robot-row-${robot.device_id}`}>
                <Td>
                  <Link
                    href={`/console/robots/${robot.device_id}`}
                    className="font-medium text-slate-900 hover:underline"
                  >
                    {robot.name}
                  </Link>
                  <div className="font-mono text-xs text-slate-500">{robot.device_id}</div>
                </Td>
                <Td>
                  <StatusBadge status={robot.status} />
                </Td>
                <Td className="whitespace-nowrap">{ago(robot.last_heartbeat, now)}</Td>
                <Td className="font-mono text-xs">{robot.model}</Td>
                <Td className="font-mono text-xs">{robot.firmware_version ?? "—"}</Td>
                <Td className="tabular-nums">{batteryText(robot.battery)}</Td>
                <Td className="text-xs">{robot.tags.join(", ") || "—"}</Td>
                {fleet && (
                  <Td className="text-xs">
                    {robot.owner_uid ? (robot.owner_uid === session.user.id ? "you" : "claimed") : "unclaimed"}
                  </Td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <div className="mt-4 flex flex-wrap items-center gap-4 text-sm">
        {search.cursor && (
          <Link href={`?${query.toString()}`} className="font-medium text-brand-700">
            ← First page
          </Link>
        )}
        {page.nextCursor && (
          <Link
            href={`?${new URLSearchParams({ ...Object.fromEntries(query), cursor: page.nextCursor }).toString()}`}
            className="font-medium text-brand-700"
            data-testid="next-page"
          >
            {page.partial ? "Keep searching →" : "Next page →"}
          </Link>
        )}
      </div>
    </>
  );
}
