import type { OtaBundle } from "@/lib/ota/schemas";

export interface BuildState {
  label: string;
  tone: "good" | "bad" | "info" | "warn";
  /** What happened and what happens next, in a sentence (null when there is nothing to say). */
  detail: string | null;
}

/**
 * A bundle build as the console shows it: queued, building (attempt N of M, and why an earlier
 * attempt ended), retrying after a failed attempt, failed with the error, or signed.
 */
export function describeBuild(build: OtaBundle["build"]): BuildState {
  const attempt = build.attempts
    ? `attempt ${build.attempts}${build.max_attempts ? ` of ${build.max_attempts}` : ""}`
    : null;
  if (build.status === "ready") return { label: "signed", tone: "good", detail: null };
  if (build.status === "failed") {
    return {
      label: "build failed",
      tone: "bad",
      detail: `The build failed${attempt ? ` (${attempt})` : ""}: ${build.error ?? "no error was recorded"}`,
    };
  }
  if (build.status === "queued") {
    return build.error
      ? {
          label: "retrying",
          tone: "warn",
          detail: `${attempt ? `${attempt[0]?.toUpperCase()}${attempt.slice(1)}` : "The last attempt"} failed: ${build.error} It is tried again after a short wait.`,
        }
      : { label: "queued", tone: "info", detail: null };
  }
  return {
    label: `building ${build.progress_pct} %`,
    tone: "info",
    detail:
      build.attempts && build.attempts > 1
        ? `${attempt?.[0]?.toUpperCase()}${attempt?.slice(1)}${build.error ? ` — ${build.error}` : ""}`
        : null,
  };
}
