import { DomainError } from "@/lib/errors";

export function bundleNotFound(bundleId: string): DomainError {
  return new DomainError("not_found", `Bundle ${bundleId.slice(0, 120)} was not found.`, {
    reason: "bundle_not_found",
  });
}
