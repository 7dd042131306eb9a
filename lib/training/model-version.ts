/** MAJOR.MINOR.PATCH, as robots compare versions (anything else counts as 0.0.0 on a robot). */
export const VERSION_PATTERN = /^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/;

/**
 * The next model version of a robot model line: the first is 1.0.0; a seed model bumps MINOR, a
 * slow-loop or fine-tune model bumps PATCH.
 */
export function nextModelVersion(latest: string | null, bump: "minor" | "patch"): string {
  const match = latest ? VERSION_PATTERN.exec(latest) : null;
  if (!match) return "1.0.0";
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return bump === "minor" ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
}

/** Compare two versions numerically (-1, 0, 1); non-matching strings sort as 0.0.0. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (VERSION_PATTERN.exec(v)?.slice(1, 4) ?? ["0", "0", "0"]).map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
