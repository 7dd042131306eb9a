"use client";

import { useEffect, useState } from "react";
import type { ReplayStepWindow, ReplaySummary } from "@/lib/replay/schemas";
import { EpisodeSource } from "./episode-source";

/** One data source per episode for the page's lifetime (disposed on unmount: requests cancelled). */
export function useEpisodeSource(summary: ReplaySummary, initialWindow: ReplayStepWindow | null): EpisodeSource {
  const [source] = useState(() => new EpisodeSource(summary.episode_id, summary, { initialWindow }));
  useEffect(() => () => source.dispose(), [source]);
  return source;
}
