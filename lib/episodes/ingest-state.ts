/**
 * The ingest state machine of an episode, kept in the episode document's `ingest` map. It is what
 * makes ingest safe against a crash or a kill at any moment: every step is either a single
 * document commit or an idempotent blob operation, and the document always says which step comes
 * next, so whoever arrives next (the robot's retry, an operator's re-validate, the sweeper) finishes
 * the job from there.
 *
 * ```text
 *                 signed-url / upload route
 *                          │
 *                          ▼
 *                 ┌──────────────────┐  ingest before the object exists → 409 upload_missing (no change)
 *                 │ awaiting_upload  │
 *                 └────────┬─────────┘
 *             claim (tx):  │ attempt+1, holder, lease, staging = episodes/staging/{robot}/{id}/attempt-N/
 *                          ▼
 *                 ┌──────────────────┐  lease renewed while it works; a lapsed lease (crashed server)
 *                 │   processing     │  is taken over by the next request, which starts attempt N+1
 *                 └───┬──────────┬───┘  after deleting every earlier staging attempt
 *   verdict rejected  │          │ verdict validated
 *   (tx, holder only) │          │ (tx, holder only): result kept in ingest.result
 *                     │          ▼
 *                     │   ┌──────────────────┐  copy staging → episodes/validated/{robot}/{id}/ (each copy
 *                     │   │    promoting     │  replaces atomically; extras under the target are deleted);
 *                     │   └────────┬─────────┘  anyone may finish it, any number of times
 *                     │            │ (tx) status validated, storage_ref, fields from ingest.result,
 *                     │            │      TFRecord work item queued in the same commit
 *                     ▼            ▼
 *                 ┌──────────────────┐  then the staging folder is deleted (a leftover is deleted by
 *                 │       done       │  the next request that sees it)
 *                 └──────────────────┘
 * ```
 *
 * Invariants:
 * - `status: validated` is written in the same commit that ends promotion, after every file is in
 *   `episodes/validated/`: no document claims `validated` without its files.
 * - Nothing under `episodes/validated/{robot}/{id}/` is read by anyone before that commit (readers
 *   go through the document), and a promotion is always finished with the same staging files, so a
 *   half-copied folder only exists while `promoting` says so.
 * - A rejected verdict never touches `episodes/validated/`; its staging folder is deleted and the
 *   raw upload stays where it was (quarantine), with the reasons on the document.
 * - Every transition is a transaction that re-reads the document (Firestore-legal: reads before
 *   writes) and, for a processing attempt, checks that it still holds the lease, so a stalled
 *   attempt that lost its lease can never overwrite a newer one.
 *
 * Answers: `done` + validated and the same checksum → the stored answer (idempotent); `done` +
 * validated and another checksum → 409 `checksum_conflict`; `done` + rejected and the same request
 * → the stored answer; a new checksum (or an operator's re-validate) → a new attempt.
 */
export { INGEST_STATES, type IngestState } from "./schemas";
