import { ISSUE_CODES, type IssueCode } from "@/lib/rlds/issue-codes";
import type { Issue } from "@/lib/rlds/schemas";

export type IssueInput = Omit<Issue, "code"> & { code: IssueCode };

/**
 * Records issues up to `maxIssues` per severity and counts every one, so a 10-million-step
 * episode with the same fault on every step costs a counter, not a list.
 */
export class IssueCollector {
  readonly errors: Issue[] = [];
  readonly warnings: Issue[] = [];
  readonly counts: Record<string, number> = {};
  private truncated = false;

  constructor(private readonly maxIssues: number) {}

  add(issue: IssueInput): void {
    this.counts[issue.code] = (this.counts[issue.code] ?? 0) + 1;
    const list = ISSUE_CODES[issue.code] === "error" ? this.errors : this.warnings;
    if (list.length >= this.maxIssues) {
      this.truncated = true;
      return;
    }
    const clean: Issue = { code: issue.code, message: issue.message };
    if (issue.step !== undefined) clean.step = issue.step;
    if (issue.field !== undefined) clean.field = issue.field;
    if (issue.line !== undefined) clean.line = issue.line;
    if (issue.file !== undefined) clean.file = issue.file;
    list.push(clean);
  }

  count(code: IssueCode): number {
    return this.counts[code] ?? 0;
  }

  get hasErrors(): boolean {
    return this.errors.length > 0;
  }

  get isTruncated(): boolean {
    return this.truncated;
  }
}
