/**
 * A timestamp as the field runtime reads it: ISO 8601 with an explicit `+00:00` offset instead of
 * `Z`. The field updater parses `created_at` with Python's `datetime.fromisoformat`, which accepts
 * `Z` only from Python 3.11; robots on 3.10 (Ubuntu 22.04, Jetson images) would fail on it and see
 * no update. The store keeps `…Z` strings; only answers the field runtime reads use this form
 * (see /docs/ota/robot-api).
 */
export function fieldTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a timestamp: ${iso}`);
  // Always milliseconds (3 digits), which 3.10's fromisoformat accepts, and a `+HH:MM` offset.
  return date.toISOString().replace(/Z$/, "+00:00");
}
