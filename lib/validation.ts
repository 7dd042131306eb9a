import type { z } from "zod";
import { DomainError } from "@/lib/errors";

export interface InputIssue {
  path: string;
  message: string;
}

/** A zod error as issues that name the field (`metadata.step_count`), safe to show to callers. */
export function describeIssues(error: z.ZodError): InputIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join(".") || "(root)", message: issue.message }));
}

/**
 * Parse untrusted input with a schema; failures become one `invalid` DomainError whose message
 * names the first bad field and whose details list them all. Verbs use this (not `.parse`) so every
 * caller — HTTP, relay, notebooks — gets the same error.
 */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, what = "input"): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issues = describeIssues(result.error);
  const first = issues[0];
  throw new DomainError("invalid", first ? `Invalid ${what}: ${first.path}: ${first.message}` : `Invalid ${what}.`, {
    reason: "invalid_input",
    details: { issues },
  });
}
