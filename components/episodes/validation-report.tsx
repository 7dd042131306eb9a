import Link from "next/link";
import { Table, Td, Th } from "@/components/ui/table";
import type { ValidationIssue } from "@/lib/episodes/schemas";

/**
 * The errors or warnings of an ingest: code (linked to its rule in the docs), where (step, field,
 * file and line) and the message. A step links to the replay at that step.
 */
export function ValidationReport({
  issues,
  replayUrl,
  emptyText,
  testId,
}: {
  issues: ValidationIssue[];
  replayUrl: string | null;
  emptyText: string;
  testId: string;
}) {
  if (issues.length === 0) return <p className="text-sm text-slate-500">{emptyText}</p>;
  return (
    <Table>
      <thead>
        <tr>
          <Th>Code</Th>
          <Th>Where</Th>
          <Th>Message</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100" data-testid={testId}>
        {issues.map((issue, index) => (
          <tr key={`${issue.code}-${index}`}>
            <Td className="font-mono text-xs whitespace-nowrap">
              <Link href={`/docs/formats#${issue.code}`} className="text-brand-700 hover:underline">
                {issue.code}
              </Link>
            </Td>
            <Td className="text-xs whitespace-nowrap">
              {issue.step !== null && issue.step !== undefined ? (
                replayUrl ? (
                  <Link href={`${replayUrl}?step=${issue.step}`} className="text-brand-700 hover:underline">
                    step {issue.step}
                  </Link>
                ) : (
                  <>step {issue.step}</>
                )
              ) : null}
              {issue.field && <div className="font-mono">{issue.field}</div>}
              {issue.file && (
                <div className="font-mono text-slate-500">
                  {issue.file}
                  {issue.line ? `:${issue.line}` : ""}
                </div>
              )}
              {!issue.file && issue.line ? <div className="text-slate-500">line {issue.line}</div> : null}
            </Td>
            <Td className="text-xs break-words">{issue.message}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
