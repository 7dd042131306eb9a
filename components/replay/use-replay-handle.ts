"use client";

import { useEffect } from "react";
import type { CacheStats, EpisodeSource } from "./episode-source";
import type { PlaybackClock, PlaybackState } from "./playback-clock";

declare global {
  interface Window {
    /** The replay page's controls and cache figures, for tests and benchmarks. */
    __replay?: {
      seek(step: number): void;
      play(): void;
      pause(): void;
      setSpeed(speed: number): void;
      state(): PlaybackState;
      stats(): CacheStats;
      hasFrame(step: number): boolean;
    };
  }
}

/**
 * Expose a player's clock and its (first) episode source as `window.__replay` while it is mounted.
 * `hasFrame` reports whether `source` holds the exact frame of a step; a player whose positions are
 * not `source`'s steps (compare, aligned by time) passes `reportsFrames: false` and answers false.
 */
export function useReplayHandle(clock: PlaybackClock, source: EpisodeSource, reportsFrames: boolean): void {
  useEffect(() => {
    window.__replay = {
      seek: (position) => clock.seek(position),
      play: () => clock.play(),
      pause: () => clock.pause(),
      setSpeed: (speed) => clock.setSpeed(speed),
      state: () => clock.state,
      stats: () => source.stats(),
      hasFrame: (step) => reportsFrames && source.streams.some((stream) => source.frameAt(stream, step).exact),
    };
    return () => {
      delete window.__replay;
    };
  }, [clock, source, reportsFrames]);
}
