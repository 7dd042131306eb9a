import type { Ctx } from "@/lib/context";

/**
 * Named points of the ingest and conversion flows where a test can make the process die
 * (`CONTINUON_FAULT_POINT=ingest.after_copy` or `…:exit`: SIGKILL at once, no cleanup) or stop
 * (`…:pause`: never continues; the test kills the server from outside once the log says the point
 * was reached). Crash tests use them to show that every intermediate state is one a retry
 * finishes. Inactive unless the variable is set.
 */
export const FAULT_POINTS = [
  "ingest.after_claim",
  "ingest.after_process",
  "ingest.after_promoting",
  "ingest.mid_copy",
  "ingest.after_copy",
  "ingest.after_done",
  "tfrecord.before_done",
  // An OTA bundle build with its archive written to a temporary object, not yet signed or published.
  "ota.build_after_archive",
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export async function reachFaultPoint(ctx: Ctx, point: FaultPoint): Promise<void> {
  const fault = ctx.config.faultPoint;
  if (fault === undefined || fault.name !== point) return;
  ctx.log.warn({ fault_point: point, action: fault.action }, `fault point ${point} reached`);
  if (fault.action === "exit") process.kill(process.pid, "SIGKILL");
  // Pause: hold this flow forever (the rest of the process keeps serving).
  await new Promise<never>(() => undefined);
}
