import type { Ctx } from "@/lib/context";
import {
  AUTO_INGEST_QUEUE,
  convertEpisodeTfrecord,
  resumeStalledIngests,
  runAutoIngest,
  TFRECORD_QUEUE,
} from "@/lib/episodes";
import { sweepBlobTempFiles } from "@/lib/blobs/sweep-temporary-files";
import {
  BUILD_QUEUE,
  failAbandonedBundleBuild,
  markRolledBackDeployments,
  ROLLBACK_QUEUE,
  runBundleBuild,
  sweepRollouts,
} from "@/lib/ota";
import { sweepRateLimits } from "@/lib/rate-limit/consume-rate-limit";
import { sweepHeartbeats } from "@/lib/robots/sweep-heartbeats";
import { sweepRobotNonces } from "@/lib/robots/sweep-robot-nonces";
import { sweepSignInThrottles } from "@/lib/users/sign-in-throttle";
import { sweepDatasetPreviews } from "@/lib/training/dataset-previews";
import { evaluateSlowLoops, SLOW_LOOP_QUEUE } from "@/lib/training/evaluate-slow-loops";
import { requeueLapsedTrainingJobs } from "@/lib/training/requeue-lapsed-training-jobs";
import { EPISODE_SYNC_QUEUE, syncJobEpisodes } from "@/lib/training/sync-job-episodes";
import { requeueExpiredWork, runNextWork } from "@/lib/work-queue/work-queue";
import { onWork, type Runtime } from "./runtime";

/** A background task run in a loop: every `intervalMs`, and sooner when its queue is notified. */
export interface BackgroundWorker {
  name: string;
  intervalMs: number;
  /** Returns how many items it handled; a non-zero count runs it again at once. */
  run(ctx: Ctx): Promise<number>;
}

/** Every worker this process runs. Add one line per worker. */
export const WORKERS: BackgroundWorker[] = [
  { name: "sweep-rate-limits", intervalMs: 5 * 60_000, run: sweepRateLimits },
  { name: "sweep-robot-nonces", intervalMs: 5 * 60_000, run: sweepRobotNonces },
  { name: "sweep-sign-in-throttles", intervalMs: 10 * 60_000, run: sweepSignInThrottles },
  { name: "sweep-heartbeats", intervalMs: 10 * 60_000, run: sweepHeartbeats },
  { name: "requeue-expired-work", intervalMs: 60_000, run: requeueExpiredWork },
  { name: "training-lapsed-leases", intervalMs: 15_000, run: requeueLapsedTrainingJobs },
  {
    name: EPISODE_SYNC_QUEUE,
    intervalMs: 60_000,
    run: (ctx) =>
      runNextWork(ctx, EPISODE_SYNC_QUEUE, (c, item) =>
        syncJobEpisodes(c, String(item.data.payload.job_id)).then(() => undefined),
      ),
  },
  { name: SLOW_LOOP_QUEUE, intervalMs: 60_000, run: evaluateSlowLoops },
  { name: "training-preview-sweep", intervalMs: 60 * 60_000, run: sweepDatasetPreviews },
  {
    name: BUILD_QUEUE,
    // A short lease renewed while the build runs, and a poll well inside it: the build of a
    // process that died is taken over within about a lease (CONTINUON_WORK_LEASE_S) plus 10 s.
    intervalMs: 10_000,
    run: (ctx) => runNextWork(ctx, BUILD_QUEUE, runBundleBuild, { onExhausted: failAbandonedBundleBuild }),
  },
  {
    name: ROLLBACK_QUEUE,
    intervalMs: 30_000,
    run: (ctx) => runNextWork(ctx, ROLLBACK_QUEUE, markRolledBackDeployments),
  },
  { name: "ota-rollout-sweep", intervalMs: 60_000, run: sweepRollouts },
  {
    name: TFRECORD_QUEUE,
    intervalMs: 30_000,
    // The work lease, renewed while the conversion runs: a dead process's conversion is retried after it.
    run: (ctx) => runNextWork(ctx, TFRECORD_QUEUE, convertEpisodeTfrecord),
  },
  {
    name: AUTO_INGEST_QUEUE,
    intervalMs: 10_000,
    run: (ctx) => runNextWork(ctx, AUTO_INGEST_QUEUE, runAutoIngest),
  },
  { name: "episode-ingest-sweep", intervalMs: 60_000, run: resumeStalledIngests },
  { name: "blob-temp-sweep", intervalMs: 10 * 60_000, run: sweepBlobTempFiles },
];

/**
 * Start each worker's loop. Workers take their work from the store with leases, so several
 * instances can run them side by side; stopping waits for the current pass to finish.
 */
export function startBackgroundWorkers(
  runtime: Runtime,
  workers: readonly BackgroundWorker[] = WORKERS,
): () => Promise<void> {
  let stopped = false;
  const loops = workers.map(async (worker) => {
    const ctx = runtime.contextFor({ kind: "system", name: worker.name }, { requestId: `worker:${worker.name}` });
    let wake: (() => void) | undefined;
    const unsubscribe = onWork(runtime, worker.name, () => wake?.());
    while (!stopped) {
      let handled = 0;
      try {
        handled = await worker.run(ctx);
      } catch (error) {
        runtime.log.error({ err: error, worker: worker.name }, "background worker pass failed");
      }
      if (stopped) break;
      if (handled > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, worker.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
    unsubscribe();
  });
  return async () => {
    stopped = true;
    for (const worker of workers) runtime.services.notifyWork(worker.name);
    await Promise.all(loops);
  };
}
