import { notFound } from "next/navigation";
import { isDomainError } from "@/lib/errors";

/**
 * Load what a console page shows, or render the segment's `not-found.tsx` (inside the console
 * shell) when it does not exist, the address is malformed, or the user may not see it — the
 * page does not tell "missing" from "not yours". Role-gated areas say which role they need
 * before the page loads (their layout's `RoleGate`). Any other error reaches the segment's
 * `error.tsx`.
 */
export async function loadOr404<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (
      isDomainError(error) &&
      (error.code === "not_found" || error.code === "invalid" || error.code === "forbidden")
    ) {
      notFound();
    }
    throw error;
  }
}
