import { z } from "zod";
import { defineCollection } from "@/lib/storage/typed";

export const ZWorkItem = z.object({
  queue: z.string(),
  status: z.enum(["queued", "running", "done", "failed"]),
  payload: z.record(z.string(), z.unknown()),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  /** Not before this time (backoff after a failure). */
  run_after: z.string(),
  lease_holder: z.string().nullable(),
  lease_expires_at: z.string().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type WorkItem = z.infer<typeof ZWorkItem>;
export const WorkItems = defineCollection("work_items", ZWorkItem);
