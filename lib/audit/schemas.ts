import { z } from "zod";
import { defineCollection } from "@/lib/storage/typed";

export const ZAuditOutcome = z.enum(["success", "failure", "denied"]);

export const ZAuditEntry = z.object({
  at: z.string(),
  actor: z.object({
    kind: z.enum(["user", "robot", "training", "system", "anonymous"]),
    id: z.string(),
    email: z.string().optional(),
  }),
  /** Dotted, stable action name: `user.sign_up`, `robot.claim`, `rollout.approve`… */
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
  outcome: ZAuditOutcome,
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  request_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).default({}),
});

export type AuditEntry = z.infer<typeof ZAuditEntry>;
export type AuditOutcome = z.infer<typeof ZAuditOutcome>;

export const AuditLog = defineCollection("audit_log", ZAuditEntry);
