/** Where a signed-in user goes when no (acceptable) destination was asked for. */
export const DEFAULT_CALLBACK_PATH = "/console";

/**
 * The same-origin path a sign-in may send its user back to, or `fallback`.
 *
 * The candidate is parsed as a URL against `origin` the way a browser would resolve a `Location`
 * header (backslashes read as slashes, tabs and newlines dropped, `%2F` kept as data), and only a
 * result on `origin` itself is kept. The answer is the normalized path, query and fragment of that
 * URL, never the raw input, and never one that starts with `//` (a browser would read that as
 * another host). A scheme must be followed by `//` and this origin. Used by the sign-in page,
 * the sign-in form, next-auth's `redirect` callback and the console's signed-out redirect, so
 * they all follow one rule.
 */
export function safeCallbackPath(candidate: unknown, origin: string, fallback = DEFAULT_CALLBACK_PATH): string {
  if (typeof candidate !== "string" || candidate.length === 0 || candidate.length > 2048) return fallback;
  // A scheme without `//` ("https:evil.example") is a relative reference to a parser but reads as
  // another site to a person: refuse it. (Tabs and newlines are dropped first, as parsers do.)
  const bare = candidate.replace(/[\t\n\r]/g, "").trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(bare);
  if (scheme && !bare.startsWith(`${scheme[1]}://`)) return fallback;
  let base: URL;
  let url: URL;
  try {
    base = new URL(origin);
    url = new URL(candidate, base.origin);
  } catch {
    return fallback;
  }
  if (url.origin !== base.origin || url.username || url.password) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return fallback;
  return path;
}
