import type { Doc } from "@/lib/storage/typed";
import type { TrainingJob, TrainingToken } from "./schemas";

/** A training token as lists show it: never the secret, never more than its first characters. */
export interface TrainingTokenView {
  id: string;
  name: string;
  token_prefix: string;
  scopes: TrainingToken["scopes"];
  created_at: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  state: "active" | "revoked" | "expired";
}

export function toTrainingTokenView(doc: Doc<TrainingToken>, now: Date): TrainingTokenView {
  const data = doc.data;
  const state = data.revoked_at
    ? "revoked"
    : data.expires_at && new Date(data.expires_at).getTime() <= now.getTime()
      ? "expired"
      : "active";
  return {
    id: doc.id,
    name: data.name,
    token_prefix: data.token_prefix,
    scopes: data.scopes,
    created_at: data.created_at,
    created_by: data.created_by.email ?? data.created_by.id,
    expires_at: data.expires_at,
    revoked_at: data.revoked_at,
    revoked_by: data.revoked_by,
    last_used_at: data.last_used_at,
    last_used_ip: data.last_used_ip,
    state,
  };
}

/**
 * A job as the API returns it. The lease id is a secret of the worker holding it, so it is left
 * out (the holder got it from its claim); so are the ids of past leases.
 */
export type TrainingJobView = Omit<TrainingJob, "lease" | "lease_history"> & {
  job_id: string;
  lease: { token_id: string; worker: string | null; claimed_at: string; expires_at: string } | null;
  lease_history: Array<{ worker: string | null; claimed_at: string; ended_at: string; end_reason: string }>;
};

export function toJobView(doc: Doc<TrainingJob>): TrainingJobView {
  const { lease, lease_history, ...rest } = doc.data;
  return {
    job_id: doc.id,
    ...rest,
    lease: lease
      ? { token_id: lease.token_id, worker: lease.worker, claimed_at: lease.claimed_at, expires_at: lease.expires_at }
      : null,
    lease_history: lease_history.map((record) => ({
      worker: record.worker,
      claimed_at: record.claimed_at,
      ended_at: record.ended_at,
      end_reason: record.end_reason,
    })),
  };
}

/** The short form for lists (no episode ids: a job may hold thousands). */
export type TrainingJobSummary = Omit<TrainingJobView, "config"> & {
  config: Omit<TrainingJobView["config"], "episode_ids">;
};

export function toJobSummary(doc: Doc<TrainingJob>): TrainingJobSummary {
  const view = toJobView(doc);
  const { episode_ids: _ids, ...config } = view.config;
  return { ...view, config };
}
