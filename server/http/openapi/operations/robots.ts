import { z } from "zod";
import { API_EXAMPLES } from "@/app/docs/robot-api/examples";
import { ZGetRobotInput } from "@/lib/robots/get-robot";
import { ZLookupInput } from "@/lib/robots/lookup-robot";
import { ZResetKeyInput } from "@/lib/robots/reset-robot-key";
import {
  ROBOT_SORTS,
  ZClaimAnswer,
  ZClaimInput,
  ZCreateProvisioningTokenInput,
  ZHeartbeatAnswer,
  ZHeartbeatInput,
  ZKeyResetAnswer,
  ZListRobotsInput,
  ZProvisioningTokenView,
  ZPublicRobotView,
  ZRegisterInput,
  ZRobotDetail,
  ZRobotSummary,
  ZRobotView,
  ZUpdateRobotInput,
} from "@/lib/robots/schemas";
import type { OperationExample, OperationSpec } from "../types";
import { EXAMPLE_ROBOT, ZErrorBody, ZPageQuery, page, pathParams } from "./common";

/** The registry examples of /docs/robot-api, which `tests/api/robots-docs.spec.ts` also runs. */
function docsExample(id: string, title = ""): OperationExample {
  const example = API_EXAMPLES.find((candidate) => candidate.id === id);
  if (!example) throw new Error(`no robot API example ${id}`);
  const search = example.path.split("?")[1];
  return {
    id: example.id,
    title: title || example.title,
    ...(search ? { query: Object.fromEntries(new URLSearchParams(search)) } : {}),
    ...(example.request ? { body: example.request } : {}),
    status: example.status,
    response: example.response,
    ...(example.note ? { note: example.note } : {}),
  };
}

const ZRobotListPage = z.object({
  robots: z.array(ZRobotSummary),
  next_cursor: z.string().nullable(),
  sort: z.enum([...ROBOT_SORTS, "status"]),
  partial: z.boolean(),
});

export const ROBOT_OPERATIONS: OperationSpec[] = [
  {
    method: "POST",
    path: "/api/rcan/register",
    operationId: "registerRobot",
    summary: "Register a robot's Ed25519 key with a provisioning token",
    description:
      "Signed with the key being registered (the `public_key` of the body), so the robot proves it holds it. The RURI must name the signer's device id. Registering again with the same key answers 200 with the same document and uses nothing of the token.",
    area: "robots",
    auth: ["robot"],
    body: { schema: ZRegisterInput },
    responses: {
      201: { schema: ZRobotView, description: "Registered: the registry document" },
      200: { schema: ZRobotView, description: "Already registered with this key: the same document" },
    },
    examples: [docsExample("register")],
    direct: true,
    robotFacing: true,
  },
  {
    method: "POST",
    path: "/api/rcan/heartbeat",
    operationId: "recordHeartbeat",
    summary: "Report that the robot is alive; learn when to come back and what is pending",
    description:
      "Every field is optional. A robot is shown offline when no heartbeat came for three intervals. `pending.ota` announces an update (then call `GET /api/ota/check`).",
    area: "robots",
    auth: ["robot"],
    body: { schema: ZHeartbeatInput },
    responses: {
      200: ZHeartbeatAnswer,
      401: { schema: ZErrorBody, description: "Unsigned, expired, tampered or replayed request" },
    },
    examples: [docsExample("heartbeat"), docsExample("replay")],
    direct: true,
    robotFacing: true,
  },
  {
    method: "GET",
    path: "/api/rcan/lookup",
    operationId: "lookupRobot",
    summary: "Find a robot by RURI, device id or legacy alias",
    description:
      "A robot sees everything about itself and the public part of others; a user sees the robots they may see (owners: theirs, operators: all).",
    area: "robots",
    auth: ["robot", "user"],
    query: ZLookupInput,
    responses: {
      200: {
        schema: z.union([ZRobotView, ZPublicRobotView]),
        description: "The robot: the whole document for itself, its owner and operators, else the public part",
      },
    },
    examples: [docsExample("lookup")],
    direct: true,
    robotFacing: true,
  },
  {
    method: "GET",
    path: "/api/robots",
    operationId: "listRobots",
    summary: "Robots the caller may see, filtered and sorted, a page at a time",
    area: "robots",
    auth: ["user"],
    query: ZListRobotsInput,
    responses: { 200: ZRobotListPage },
  },
  {
    method: "GET",
    path: "/api/robots/{deviceId}",
    operationId: "getRobot",
    summary: "A robot's detail and heartbeat history",
    area: "robots",
    auth: ["user"],
    params: pathParams("deviceId"),
    query: ZGetRobotInput.pick({ history_hours: true }),
    responses: { 200: ZRobotDetail },
  },
  {
    method: "PATCH",
    path: "/api/robots/{deviceId}",
    operationId: "updateRobot",
    summary: "Rename a robot, set its tags, or publish it to lookups (lookup_visibility; its owner or an operator)",
    area: "robots",
    auth: ["user"],
    params: pathParams("deviceId"),
    body: { schema: ZUpdateRobotInput.omit({ device_id: true }) },
    responses: { 200: ZRobotView },
  },
  {
    method: "POST",
    path: "/api/robots/claim",
    operationId: "claimRobot",
    summary: "Become a robot's owner with its local claim proof",
    description: "The proof is a JWS the robot signs for the user it paired with in person (see /docs/signatures).",
    area: "robots",
    auth: ["user"],
    body: { schema: ZClaimInput },
    responses: { 200: ZClaimAnswer },
    examples: [docsExample("claim")],
  },
  {
    method: "GET",
    path: "/api/console/provisioning-tokens",
    operationId: "listProvisioningTokens",
    summary: "Provisioning tokens, newest first (never the secrets)",
    area: "robots",
    auth: ["admin"],
    query: ZPageQuery,
    responses: { 200: page("tokens", ZProvisioningTokenView) },
  },
  {
    method: "POST",
    path: "/api/console/provisioning-tokens",
    operationId: "createProvisioningToken",
    summary: "Create a provisioning token for a robot model (the secret is in this answer only)",
    area: "robots",
    auth: ["admin"],
    body: { schema: ZCreateProvisioningTokenInput },
    responses: { 201: ZProvisioningTokenView.extend({ token: z.string() }) },
  },
  {
    method: "POST",
    path: "/api/console/provisioning-tokens/{tokenId}/revoke",
    operationId: "revokeProvisioningToken",
    summary: "Revoke a provisioning token (robots already registered keep working)",
    area: "robots",
    auth: ["admin"],
    params: pathParams("tokenId"),
    responses: { 200: ZProvisioningTokenView },
  },
  {
    method: "POST",
    path: "/api/console/robots/{deviceId}/reset-key",
    operationId: "resetRobotKey",
    summary:
      "Clear a robot's key and issue its one-time re-enrolment token (shown in this answer only; a provisioning token no longer registers the device id; audited)",
    area: "robots",
    auth: ["admin"],
    params: pathParams("deviceId"),
    body: { schema: ZResetKeyInput.omit({ device_id: true }) },
    responses: { 200: ZKeyResetAnswer },
  },
];

/** The example robot as the OTA and episode examples name it. */
export const EXAMPLE_DEVICE_ID = EXAMPLE_ROBOT.deviceId;
