import { randomBytes } from "node:crypto";
import type { Ctx } from "@/lib/context";
import type { LogLine } from "./schemas";

/**
 * A log line document: its id and `key` sort by time, then by `seq` (the line's place in one
 * report), then by a random tail that keeps them unique.
 */
export function logLine(
  ctx: Ctx,
  jobId: string,
  line: { level?: LogLine["level"]; message: string; source: LogLine["source"]; at?: Date; seq?: number },
): { id: string; data: LogLine } {
  const at = (line.at ?? ctx.now()).toISOString();
  const key = `${at}_${String(line.seq ?? 0).padStart(4, "0")}${randomBytes(5).toString("hex")}`;
  return {
    id: `${jobId}_${key.replace(/[^A-Za-z0-9_.-]/g, "")}`,
    data: {
      job_id: jobId,
      key,
      at,
      level: line.level ?? "info",
      source: line.source,
      message: line.message.slice(0, 4000),
    },
  };
}
