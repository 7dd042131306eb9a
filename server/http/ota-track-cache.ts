import { OtaTracks, type OtaTrack } from "@/lib/ota/schemas";
import type { Doc } from "@/lib/storage/typed";
import type { Runtime } from "@/server/runtime";

/** How long a process reuses a robot model's OTA track for heartbeat hints (`GET /api/ota/check` always reads fresh). */
export const OTA_TRACK_CACHE_TTL_MS = 5_000;
const REGISTRY_KEY = "ota:track-cache";

/**
 * Per-process cache of OTA tracks (one small document per robot model), so every heartbeat can
 * say whether an update waits without a store read. A hint that lags a rollout step by a few
 * seconds is harmless: the robot's `check` decides.
 */
export class OtaTrackCache {
  private readonly entries = new Map<string, { track: Doc<OtaTrack> | null; readAt: number }>();

  constructor(private readonly runtime: Runtime) {}

  async get(robotModel: string): Promise<Doc<OtaTrack> | null> {
    const now = this.runtime.now().getTime();
    const entry = this.entries.get(robotModel);
    if (entry && now - entry.readAt <= OTA_TRACK_CACHE_TTL_MS) return entry.track;
    const track = await this.runtime.db.get(OtaTracks, robotModel);
    this.entries.set(robotModel, { track, readAt: now });
    return track;
  }
}

export function otaTrackCache(runtime: Runtime): OtaTrackCache {
  let cache = runtime.services.registry.get(REGISTRY_KEY) as OtaTrackCache | undefined;
  if (!cache) {
    cache = new OtaTrackCache(runtime);
    runtime.services.registry.set(REGISTRY_KEY, cache);
  }
  return cache;
}
