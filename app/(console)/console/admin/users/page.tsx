import type { Metadata } from "next";
import { RoleSelect } from "@/components/console/role-select";
import { UserAccessButton } from "@/components/console/user-access-button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { listUsers } from "@/lib/users/list-users";
import { requirePageSession } from "@/server/http/page-context";
import { loadOr404 } from "@/server/http/load-or-404";

export const metadata: Metadata = { title: "Users & roles" };
export const dynamic = "force-dynamic";

export default async function UsersPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const session = await requirePageSession("/console/admin/users");
  const { cursor } = await searchParams;
  const page = await loadOr404(() => listUsers(session.ctx, { cursor: cursor ?? null, limit: 100 }));
  return (
    <>
      <PageHeader
        title="Users & roles"
        description="Owners see their own robots; operators run datasets, training and rollouts; admins manage people, tokens and the audit log. Changing a role or disabling an account ends that person's sessions."
      />
      {page.docs.length === 0 ? (
        <EmptyState title="No users yet">People appear here after they create an account.</EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Email</Th>
              <Th>Role</Th>
              <Th>Robots</Th>
              <Th>Joined</Th>
              <Th>Last sign-in</Th>
              <Th>Access</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.docs.map((doc) => (
              <tr key={doc.id} data-testid={`user-row-${doc.data.email}`}>
                <Td className="font-medium text-slate-900">{doc.data.display_name}</Td>
                <Td>{doc.data.email}</Td>
                <Td>
                  <RoleSelect uid={doc.id} role={doc.data.role} isSelf={doc.id === session.user.id} />
                </Td>
                <Td className="tabular-nums">{doc.data.robots.length}</Td>
                <Td className="whitespace-nowrap">{doc.data.created_at.slice(0, 10)}</Td>
                <Td className="whitespace-nowrap">{doc.data.last_sign_in_at?.slice(0, 16).replace("T", " ") ?? "—"}</Td>
                <Td>
                  {doc.data.disabled_at && <span className="mr-2 text-xs font-medium text-red-700">Disabled</span>}
                  {doc.id !== session.user.id && (
                    <UserAccessButton uid={doc.id} email={doc.data.email} disabled={Boolean(doc.data.disabled_at)} />
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {page.nextCursor && (
        <a
          href={`?cursor=${encodeURIComponent(page.nextCursor)}`}
          className="mt-4 inline-block text-sm font-medium text-brand-700"
        >
          Next page →
        </a>
      )}
    </>
  );
}
