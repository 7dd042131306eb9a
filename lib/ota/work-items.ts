import type { WorkItem } from "@/lib/work-queue/schemas";

/**
 * A queued work item, for verbs that write it in their own transaction (with the state change it
 * follows from), so the follow-up cannot be lost between two writes.
 */
export function queuedWorkItem(
  queue: string,
  payload: Record<string, unknown>,
  at: string,
  maxAttempts: number,
): WorkItem {
  return {
    queue,
    status: "queued",
    payload,
    attempts: 0,
    max_attempts: maxAttempts,
    run_after: at,
    lease_holder: null,
    lease_expires_at: null,
    last_error: null,
    created_at: at,
    updated_at: at,
  };
}
