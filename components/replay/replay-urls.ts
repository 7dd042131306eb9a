/** URLs of the replay API (app/api/console/episodes/[episodeId]/replay/…), shared by pages and client code. */
const base = (episodeId: string) => `/api/console/episodes/${encodeURIComponent(episodeId)}/replay`;

export const replayUrls = {
  summary: (episodeId: string) => base(episodeId),
  steps: (episodeId: string, from: number, to: number) => `${base(episodeId)}/steps?from=${from}&to=${to}`,
  series: (episodeId: string, fields: readonly string[], from: number, to: number, buckets: number) =>
    `${base(episodeId)}/series?${fields.map((field) => `field=${encodeURIComponent(field)}`).join("&")}&from=${from}&to=${to}&buckets=${buckets}`,
  frameById: (episodeId: string, stream: string, id: string) =>
    `${base(episodeId)}/frames?stream=${encodeURIComponent(stream)}&id=${encodeURIComponent(id)}`,
  frameByStep: (episodeId: string, stream: string, step: number) =>
    `${base(episodeId)}/frames?stream=${encodeURIComponent(stream)}&step=${step}`,
  framePack: (episodeId: string, stream: string, from: number, to: number) =>
    `${base(episodeId)}/frames/pack?stream=${encodeURIComponent(stream)}&from=${from}&to=${to}`,
};

/** The replay page of an episode, optionally at a step with chosen fields (a deep link). */
export function replayPageUrl(episodeId: string, options: { step?: number; fields?: readonly string[] } = {}): string {
  const params = new URLSearchParams();
  if (options.step !== undefined) params.set("step", String(options.step));
  if (options.fields && options.fields.length > 0) params.set("fields", options.fields.join(","));
  const query = params.toString();
  return `/console/episodes/${encodeURIComponent(episodeId)}/replay${query ? `?${query}` : ""}`;
}
