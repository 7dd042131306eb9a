import type { IndexDeclaration } from "./query-plan";

/**
 * Every index the product's queries need, one list for both backends: `firestore.indexes.json` is
 * generated from it (`npm run indexes`, checked by a test) and the SQLite adapter builds
 * expression indexes from it. The SQLite adapter refuses, in tests, any query whose Firestore
 * composite index is missing here, so a query cannot reach production without its index.
 * Single-field entries are for SQLite only (Firestore indexes single fields by itself).
 */
const asc = (fieldPath: string) => ({ fieldPath, order: "ASCENDING" as const });
const desc = (fieldPath: string) => ({ fieldPath, order: "DESCENDING" as const });
const contains = (fieldPath: string) => ({ fieldPath, arrayConfig: "CONTAINS" as const });

export const INDEXES: IndexDeclaration[] = [
  // users
  { collectionGroup: "users", fields: [asc("email")] },
  { collectionGroup: "users", fields: [asc("created_at")] },
  { collectionGroup: "users", fields: [asc("role"), asc("created_at")] },
  // audit_log
  { collectionGroup: "audit_log", fields: [desc("at")] },
  { collectionGroup: "audit_log", fields: [asc("action"), desc("at")] },
  { collectionGroup: "audit_log", fields: [asc("actor.id"), desc("at")] },
  { collectionGroup: "audit_log", fields: [asc("target.id"), desc("at")] },
  { collectionGroup: "audit_log", fields: [asc("outcome"), desc("at")] },
  // work_items (durable background work)
  { collectionGroup: "work_items", fields: [asc("queue"), asc("status"), asc("run_after")] },
  { collectionGroup: "work_items", fields: [asc("status"), asc("lease_expires_at")] },
  { collectionGroup: "work_items", fields: [asc("queue"), asc("status"), asc("lease_expires_at")] },
  // rate limits and one-time values with an expiry
  { collectionGroup: "rate_limits", fields: [asc("expires_at")] },
  { collectionGroup: "sign_in_throttles", fields: [asc("expires_at")] },
  // remote_sessions: a user's sessions, live sessions (admins), the expiry backstop
  { collectionGroup: "remote_sessions", fields: [asc("user_uid"), desc("created_at")] },
  { collectionGroup: "remote_sessions", fields: [asc("active"), desc("created_at")] },
  { collectionGroup: "remote_sessions", fields: [asc("active"), asc("expires_at")] },
  // training_jobs: console lists (newest first), worker claims (oldest queued first), lapsed leases
  { collectionGroup: "training_jobs", fields: [desc("created_at")] },
  { collectionGroup: "training_jobs", fields: [asc("status"), desc("created_at")] },
  { collectionGroup: "training_jobs", fields: [asc("type"), desc("created_at")] },
  { collectionGroup: "training_jobs", fields: [asc("status"), asc("type"), desc("created_at")] },
  { collectionGroup: "training_jobs", fields: [asc("status"), asc("created_at")] },
  { collectionGroup: "training_jobs", fields: [asc("status"), asc("type"), asc("created_at")] },
  { collectionGroup: "training_jobs", fields: [asc("status"), asc("robot_model"), asc("created_at")] },
  { collectionGroup: "training_jobs", fields: [asc("status"), asc("type"), asc("robot_model"), asc("created_at")] },
  { collectionGroup: "training_jobs", fields: [asc("status"), asc("lease.expires_at")] },
  // training metric points and log lines, read in order per job
  { collectionGroup: "training_metrics", fields: [asc("job_id"), asc("step")] },
  { collectionGroup: "training_logs", fields: [asc("job_id"), asc("key")] },
  // training tokens (admin list), slow-loop policies (the evaluator's list)
  { collectionGroup: "training_tokens", fields: [desc("created_at")] },
  // training dataset previews: the expiry sweep
  { collectionGroup: "training_dataset_previews", fields: [asc("expires_at")] },
  { collectionGroup: "slow_loop_policies", fields: [asc("enabled"), asc("robot_model")] },
  { collectionGroup: "slow_loop_policies", fields: [asc("robot_model")] },
  // models: lists by robot model and stage, lineage downwards
  { collectionGroup: "models", fields: [desc("created_at")] },
  { collectionGroup: "models", fields: [asc("robot_model"), desc("created_at")] },
  { collectionGroup: "models", fields: [asc("stage"), desc("created_at")] },
  { collectionGroup: "models", fields: [asc("robot_model"), asc("stage"), desc("created_at")] },
  { collectionGroup: "models", fields: [asc("parent_model_id"), desc("created_at")] },
  { collectionGroup: "models", fields: [asc("training_job_id"), desc("created_at")] },
  // rlds_episodes as training selects them: by upload time, narrowed by robot (model) and eligibility
  { collectionGroup: "rlds_episodes", fields: [desc("uploaded_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_model"), desc("uploaded_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("training_eligible"), desc("uploaded_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_model"), asc("training_eligible"), desc("uploaded_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_id"), desc("uploaded_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_id"), asc("training_eligible"), desc("uploaded_at")] },
  {
    collectionGroup: "rlds_episodes",
    fields: [asc("robot_model"), asc("status"), asc("training_eligible"), asc("uploaded_at")],
  },
  // rlds_episodes as the episode lists filter them (lib/episodes/list-episodes.ts): newest first,
  // equality on scope (robot or model), status and eligibility, then a tag or a created_at range
  { collectionGroup: "rlds_episodes", fields: [desc("created_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("training_eligible"), desc("created_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("status"), desc("created_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("status"), asc("training_eligible"), desc("created_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_id"), desc("created_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_id"), asc("training_eligible"), desc("created_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_id"), asc("status"), desc("created_at")] },
  {
    collectionGroup: "rlds_episodes",
    fields: [asc("robot_id"), asc("status"), asc("training_eligible"), desc("created_at")],
  },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_model"), desc("created_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_model"), asc("training_eligible"), desc("created_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_model"), asc("status"), desc("created_at")] },
  {
    collectionGroup: "rlds_episodes",
    fields: [asc("robot_model"), asc("status"), asc("training_eligible"), desc("created_at")],
  },
  { collectionGroup: "rlds_episodes", fields: [contains("metadata.tags"), desc("created_at")] },
  {
    collectionGroup: "rlds_episodes",
    fields: [asc("training_eligible"), contains("metadata.tags"), desc("created_at")],
  },
  { collectionGroup: "rlds_episodes", fields: [asc("status"), contains("metadata.tags"), desc("created_at")] },
  {
    collectionGroup: "rlds_episodes",
    fields: [asc("status"), asc("training_eligible"), contains("metadata.tags"), desc("created_at")],
  },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_id"), contains("metadata.tags"), desc("created_at")] },
  {
    collectionGroup: "rlds_episodes",
    fields: [asc("robot_id"), asc("training_eligible"), contains("metadata.tags"), desc("created_at")],
  },
  {
    collectionGroup: "rlds_episodes",
    fields: [asc("robot_id"), asc("status"), contains("metadata.tags"), desc("created_at")],
  },
  {
    collectionGroup: "rlds_episodes",
    fields: [asc("robot_id"), asc("status"), asc("training_eligible"), contains("metadata.tags"), desc("created_at")],
  },
  { collectionGroup: "rlds_episodes", fields: [asc("robot_model"), contains("metadata.tags"), desc("created_at")] },
  {
    collectionGroup: "rlds_episodes",
    fields: [asc("robot_model"), asc("training_eligible"), contains("metadata.tags"), desc("created_at")],
  },
  {
    collectionGroup: "rlds_episodes",
    fields: [asc("robot_model"), asc("status"), contains("metadata.tags"), desc("created_at")],
  },
  {
    collectionGroup: "rlds_episodes",
    fields: [
      asc("robot_model"),
      asc("status"),
      asc("training_eligible"),
      contains("metadata.tags"),
      desc("created_at"),
    ],
  },
  // rlds_episodes: the overview's upload counts (lib/episodes/get-upload-activity.ts)
  { collectionGroup: "rlds_episodes", fields: [asc("status"), asc("created_at")] },
  // rlds_episodes: ingests left midway (lib/episodes/ingest-queue.ts)
  { collectionGroup: "rlds_episodes", fields: [asc("ingest.state"), asc("ingest.updated_at")] },
  { collectionGroup: "rlds_episodes", fields: [asc("ingest.state"), asc("ingest.lease_expires_at")] },
  // rcan_registry: the robots list (lib/robots/list-robots.ts) — owner scope and model are
  // equality filters; search terms, a tag or the status window is the one array/range filter.
  { collectionGroup: "rcan_registry", fields: [asc("name_sort")] },
  { collectionGroup: "rcan_registry", fields: [desc("registered_at")] },
  { collectionGroup: "rcan_registry", fields: [desc("last_heartbeat")] },
  { collectionGroup: "rcan_registry", fields: [desc("offline_after")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), asc("name_sort")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), desc("registered_at")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), desc("last_heartbeat")] },
  { collectionGroup: "rcan_registry", fields: [asc("model"), asc("name_sort")] },
  { collectionGroup: "rcan_registry", fields: [asc("model"), desc("registered_at")] },
  { collectionGroup: "rcan_registry", fields: [asc("model"), desc("last_heartbeat")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), asc("model"), asc("name_sort")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), asc("model"), desc("registered_at")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), asc("model"), desc("last_heartbeat")] },
  { collectionGroup: "rcan_registry", fields: [contains("search_terms"), asc("name_sort")] },
  { collectionGroup: "rcan_registry", fields: [contains("search_terms"), desc("registered_at")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), contains("search_terms"), asc("name_sort")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), contains("search_terms"), desc("registered_at")] },
  { collectionGroup: "rcan_registry", fields: [asc("model"), contains("search_terms"), asc("name_sort")] },
  { collectionGroup: "rcan_registry", fields: [asc("model"), contains("search_terms"), desc("registered_at")] },
  {
    collectionGroup: "rcan_registry",
    fields: [asc("owner_uid"), asc("model"), contains("search_terms"), asc("name_sort")],
  },
  {
    collectionGroup: "rcan_registry",
    fields: [asc("owner_uid"), asc("model"), contains("search_terms"), desc("registered_at")],
  },
  { collectionGroup: "rcan_registry", fields: [contains("tags"), asc("name_sort")] },
  { collectionGroup: "rcan_registry", fields: [contains("tags"), desc("registered_at")] },
  { collectionGroup: "rcan_registry", fields: [contains("tags"), desc("last_heartbeat")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), contains("tags"), asc("name_sort")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), contains("tags"), desc("registered_at")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), contains("tags"), desc("last_heartbeat")] },
  { collectionGroup: "rcan_registry", fields: [asc("model"), contains("tags"), asc("name_sort")] },
  { collectionGroup: "rcan_registry", fields: [asc("model"), contains("tags"), desc("registered_at")] },
  { collectionGroup: "rcan_registry", fields: [asc("model"), contains("tags"), desc("last_heartbeat")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), asc("model"), contains("tags"), asc("name_sort")] },
  {
    collectionGroup: "rcan_registry",
    fields: [asc("owner_uid"), asc("model"), contains("tags"), desc("registered_at")],
  },
  {
    collectionGroup: "rcan_registry",
    fields: [asc("owner_uid"), asc("model"), contains("tags"), desc("last_heartbeat")],
  },
  { collectionGroup: "rcan_registry", fields: [asc("status"), desc("offline_after")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), asc("status"), desc("offline_after")] },
  { collectionGroup: "rcan_registry", fields: [asc("model"), asc("status"), desc("offline_after")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), asc("model"), asc("status"), desc("offline_after")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), desc("offline_after")] },
  { collectionGroup: "rcan_registry", fields: [asc("model"), desc("offline_after")] },
  { collectionGroup: "rcan_registry", fields: [asc("owner_uid"), asc("model"), desc("offline_after")] },
  // rcan_registry: fleet overview counts (robots online / sleeping now)
  { collectionGroup: "rcan_registry", fields: [asc("status"), asc("offline_after")] },
  // robot heartbeat history, nonces, provisioning tokens, fleet facet counters
  { collectionGroup: "robot_heartbeats", fields: [asc("device_id"), desc("at")] },
  { collectionGroup: "robot_heartbeats", fields: [asc("expires_at")] },
  { collectionGroup: "robot_nonces", fields: [asc("expires_at")] },
  { collectionGroup: "provisioning_tokens", fields: [desc("created_at")] },
  { collectionGroup: "fleet_facets", fields: [asc("facet"), desc("count")] },
  // OTA (lib/ota): bundle lists, the per-robot deployment table, the rollback worker, a robot's
  // latest deployment, chart points per bundle
  { collectionGroup: "ota_bundles", fields: [desc("created_at")] },
  { collectionGroup: "ota_bundles", fields: [asc("robot_model"), desc("created_at")] },
  { collectionGroup: "ota_bundles", fields: [asc("rollout.status")] },
  { collectionGroup: "ota_deployments", fields: [asc("bundle_id"), desc("updated_at")] },
  { collectionGroup: "ota_deployments", fields: [asc("bundle_id"), asc("state"), desc("updated_at")] },
  { collectionGroup: "ota_deployments", fields: [asc("bundle_id"), asc("state")] },
  { collectionGroup: "ota_deployments", fields: [asc("device_id"), desc("updated_at")] },
  { collectionGroup: "ota_rollout_snapshots", fields: [asc("bundle_id"), desc("at")] },
];

export { asc, contains, desc };
