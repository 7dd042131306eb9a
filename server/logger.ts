import pino from "pino";
import type { Logger } from "@/lib/context";
import type { AppConfig } from "@/lib/env";

/**
 * JSON logs on stdout (what Cloud Logging ingests): `severity` as Google expects, `msg` as
 * message, one line per event; request id, robot id and user id ride along as bindings.
 */
export function createLogger(config: Pick<AppConfig, "logLevel">): Logger & pino.Logger {
  return pino({
    level: config.logLevel,
    base: { service: "continuon-cloud" },
    messageKey: "message",
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level(label) {
        const severity =
          { trace: "DEBUG", debug: "DEBUG", info: "INFO", warn: "WARNING", error: "ERROR", fatal: "CRITICAL" }[label] ??
          "DEFAULT";
        return { severity, level: label };
      },
    },
    redact: {
      paths: ["password", "*.password", "token", "*.token", "authorization", "*.authorization"],
      censor: "[redacted]",
    },
  });
}
