import { queryOptions } from "@tanstack/react-query";
import type { HeartbeatPointView, RobotView } from "@/lib/robots/views";

export interface RobotDetail {
  robot: RobotView;
  heartbeats: HeartbeatPointView[];
}

/** How often the robot page refreshes its status and chart. */
export const ROBOT_REFRESH_MS = 5_000;

/** One robot's detail and recent heartbeats (`GET /api/robots/{id}`), refreshed every few seconds. */
export function robotDetailQuery(deviceId: string, historyHours = 6) {
  return queryOptions({
    queryKey: ["robots", "detail", deviceId, historyHours],
    queryFn: async (): Promise<RobotDetail> => {
      const response = await fetch(`/api/robots/${encodeURIComponent(deviceId)}?history_hours=${historyHours}`);
      if (!response.ok) throw new Error(`Could not refresh the robot (${response.status}).`);
      return (await response.json()) as RobotDetail;
    },
    refetchInterval: ROBOT_REFRESH_MS,
  });
}
