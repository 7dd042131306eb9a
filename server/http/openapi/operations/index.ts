import type { OperationSpec, WebSocketSpec } from "../types";
import { EPISODE_OPERATIONS } from "./episodes";
import { OTA_OPERATIONS } from "./ota";
import { PLATFORM_OPERATIONS } from "./platform";
import { REMOTE_OPERATIONS, SIGNAL_SOCKET } from "./remote";
import { ROBOT_OPERATIONS } from "./robots";
import { TRAINING_OPERATIONS } from "./training";

/**
 * Every HTTP operation the server answers, one entry each (a test lists `app/**\/route.ts` and
 * fails when a route has no entry or an entry has no route). Add the entry with the route.
 */
export const OPERATIONS: readonly OperationSpec[] = [
  ...ROBOT_OPERATIONS,
  ...EPISODE_OPERATIONS,
  ...OTA_OPERATIONS,
  ...REMOTE_OPERATIONS,
  ...TRAINING_OPERATIONS,
  ...PLATFORM_OPERATIONS,
];

/** Entry points that are not HTTP request/response operations. */
export const WEBSOCKETS: readonly WebSocketSpec[] = [SIGNAL_SOCKET];

export { ZErrorBody } from "./common";
