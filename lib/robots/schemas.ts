import { z } from "zod";
import { defineCollection } from "@/lib/storage/typed";

/**
 * The robot registry and the collections around it (PRODUCT.md §4). Every collection keeps one
 * small document per thing: heartbeat history, nonces and claim records live apart from the
 * registry document, so no document grows without bound or is written many times a second.
 */

/** What a robot says about itself in a heartbeat. The status shown is computed (see `status.ts`). */
export const ZReportedStatus = z.enum(["online", "offline", "sleeping"]);
export type ReportedStatus = z.infer<typeof ZReportedStatus>;

export const ZRobotEndpoint = z.object({
  lan_ip: z.string().nullable().default(null),
  lan_port: z.number().int().nullable().default(null),
  tunnel_url: z.string().nullable().default(null),
});
export type RobotEndpoint = z.infer<typeof ZRobotEndpoint>;

export const ZKeyEvent = z.object({
  /**
   * `registered`: a key was set with a provisioning token (first registration); `reset`: an admin
   * cleared it (and issued a re-enrolment token); `reenrolled`: the robot set a new key with that token.
   */
  kind: z.enum(["registered", "reset", "reenrolled"]),
  at: z.string(),
  /** uid of the admin (reset) or the provisioning token id (registered). */
  by: z.string(),
  fingerprint: z.string().nullable(),
  reason: z.string().nullable().default(null),
});
export type KeyEvent = z.infer<typeof ZKeyEvent>;

/**
 * The one-time re-enrolment credential an admin's key reset issues (see `reset-robot-key.ts`): only
 * its SHA-256 is stored; it is bound to this device id and spent by the registration it allows.
 */
export const ZReenrolment = z.object({
  token_hash: z.string(),
  /** The first characters of the token, for people to recognise it (`cre_AbCd…`). */
  hint: z.string(),
  issued_at: z.string(),
  /** uid of the admin who reset the key. */
  issued_by: z.string(),
  expires_at: z.string(),
});
export type Reenrolment = z.infer<typeof ZReenrolment>;

/**
 * Who may see a robot through `GET /api/rcan/lookup` besides its owner, operators, admins and the
 * robot itself: `private` (nobody: the answer is the same 404 as for an unknown robot) or `public`
 * (any signed robot or signed-in user sees its public view). Its owner chooses.
 */
export const LOOKUP_VISIBILITIES = ["private", "public"] as const;
export const ZLookupVisibility = z.enum(LOOKUP_VISIBILITIES);
export type LookupVisibility = z.infer<typeof ZLookupVisibility>;

/** `rcan_registry/{device_id}`. */
export const ZRobot = z.object({
  /** The 4-segment identity form `rcan://registry/manufacturer/model/device_id`. */
  ruri: z.string(),
  device_id: z.string(),
  registry: z.string(),
  manufacturer: z.string(),
  /** The robot model (the RURI's model segment), e.g. `companion-v1`. */
  model: z.string(),
  name: z.string(),
  /** base64url of the raw 32-byte Ed25519 key; null after an admin reset until the robot registers again. */
  public_key: z.string().nullable(),
  key_fingerprint: z.string().nullable(),
  key_registered_at: z.string().nullable(),
  /** Key registrations and resets, oldest first (at most {@link MAX_KEY_EVENTS}). */
  key_history: z.array(ZKeyEvent).default([]),
  owner_uid: z.string().nullable(),
  claimed_at: z.string().nullable(),
  /**
   * The status the robot last reported. What people and robots are shown is computed from it and
   * `offline_after` at read time (`computeRobotStatus`); nothing rewrites it when a robot goes quiet.
   */
  status: ZReportedStatus,
  /** The last heartbeat (registration counts as the first contact). */
  last_heartbeat: z.string(),
  /** When the robot is shown offline unless it heartbeats again: last heartbeat + 3 × the interval it was told. */
  offline_after: z.string(),
  heartbeat_interval_s: z.number().int(),
  firmware_version: z.string().nullable(),
  brain_version: z.string().nullable(),
  /** Version of the OTA bundle the robot runs. */
  current_bundle: z.string().nullable(),
  endpoint: ZRobotEndpoint.nullable(),
  /** Battery level 0–1 from the last heartbeat that carried one. */
  battery: z.number().nullable(),
  capabilities: z.array(z.string()),
  tags: z.array(z.string()),
  registered_at: z.string(),
  updated_at: z.string(),
  /** Legacy aliases (`brain-<unix seconds>`): lookups accept them; never an identity. */
  legacy_ids: z.array(z.string()),
  provisioning_token_id: z.string().nullable(),
  /** Set by an admin's key reset until the robot re-enrols with it (or the admin resets again); absent: none. */
  reenrolment: ZReenrolment.nullable().optional(),
  /** Absent (robots registered before the setting existed): `private`. */
  lookup_visibility: ZLookupVisibility.optional(),
  /** Lower-cased name, for sorting by name. */
  name_sort: z.string(),
  /** Lower-case prefixes of name words, device id, model, tags and aliases (see `search-terms.ts`). */
  search_terms: z.array(z.string()),
});
export type Robot = z.infer<typeof ZRobot>;
export const Robots = defineCollection("rcan_registry", ZRobot);

export const MAX_KEY_EVENTS = 50;

/** `provisioning_tokens/{token_id}`: the id is the SHA-256 (hex) of the token; the token itself is never stored. */
export const ZProvisioningToken = z.object({
  /** The first characters of the token, for people to recognise it (`cpt_AbCd…`). */
  hint: z.string(),
  label: z.string(),
  /** Robots whose RURI names this model may register with it. */
  model: z.string(),
  /** When set, the RURI's manufacturer must match too. */
  manufacturer: z.string().nullable(),
  created_at: z.string(),
  created_by: z.string(),
  expires_at: z.string().nullable(),
  max_uses: z.number().int().nullable(),
  use_count: z.number().int(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  revoked_by: z.string().nullable(),
});
export type ProvisioningToken = z.infer<typeof ZProvisioningToken>;
export const ProvisioningTokens = defineCollection("provisioning_tokens", ZProvisioningToken);

/**
 * `robot_heartbeats/{device_id}_{minute}`: one point per robot per minute (a later heartbeat in the
 * same minute replaces it), kept {@link HEARTBEAT_HISTORY_HOURS} hours, so each robot holds at most
 * 60 × that many points whatever its interval.
 */
export const ZHeartbeatPoint = z.object({
  device_id: z.string(),
  at: z.string(),
  status: ZReportedStatus,
  battery: z.number().nullable(),
  firmware_version: z.string().nullable(),
  /** Numeric metrics the robot sent (cpu, temperature…). */
  metrics: z.record(z.string(), z.number()),
  expires_at: z.string(),
});
export type HeartbeatPoint = z.infer<typeof ZHeartbeatPoint>;
export const HeartbeatPoints = defineCollection("robot_heartbeats", ZHeartbeatPoint);
export const HEARTBEAT_HISTORY_HOURS = 24;

/**
 * `robot_nonces/{device_id}_{sha256(nonce)}`: a signature nonce seen from a robot, kept until the
 * signature could no longer be accepted anyway. Created only if absent, so a replay is refused
 * across restarts and across server instances.
 */
export const ZRobotNonce = z.object({
  device_id: z.string(),
  seen_at: z.string(),
  expires_at: z.string(),
});
export type RobotNonceDocument = z.infer<typeof ZRobotNonce>;
export const RobotNonces = defineCollection("robot_nonces", ZRobotNonce);

/** `robot_claims/{device_id}`: the latest accepted claim proof, so older or replayed proofs are refused. */
export const ZClaimRecord = z.object({
  device_id: z.string(),
  owner_uid: z.string(),
  iat: z.number().int(),
  jti: z.string(),
  accepted_at: z.string(),
});
export type ClaimRecord = z.infer<typeof ZClaimRecord>;
export const ClaimRecords = defineCollection("robot_claims", ZClaimRecord);

/**
 * `fleet_facets/{facet}_{hash}`: how many robots have a model or firmware version. Kept by the
 * registration and heartbeat verbs in the same write as the registry change, because Firestore
 * cannot group a count by value.
 */
export const ZFleetFacet = z.object({
  facet: z.enum(["model", "firmware"]),
  value: z.string(),
  count: z.number().int(),
});
export type FleetFacet = z.infer<typeof ZFleetFacet>;
export const FleetFacets = defineCollection("fleet_facets", ZFleetFacet);

// ── Inputs ───────────────────────────────────────────────────────────────────────────────────────

const ZName = z.string().trim().min(1, "must not be empty").max(80, "use at most 80 characters");
const ZTag = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_.:-]{0,39}$/, "tags are 1–40 characters: a-z 0-9 _ . : -");
const ZCapability = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_/.-]{0,63}$/, "capabilities are 1–64 characters: a-z 0-9 _ / . -");
const ZVersion = z.string().trim().min(1).max(64);

export const ZRegisterInput = z.object({
  /** Required for a first registration; not needed (and not used) with a `reenrolment_token`. */
  provisioning_token: z.string().min(8, "is too short").max(200, "is too long").optional(),
  /** The one-time credential an admin's key reset issued for this device id. */
  reenrolment_token: z.string().min(8, "is too short").max(200, "is too long").optional(),
  ruri: z.string().max(512),
  public_key: z.string().max(100),
  name: ZName.optional(),
  capabilities: z.array(ZCapability).max(64).optional(),
  firmware_version: ZVersion.optional(),
  brain_version: ZVersion.optional(),
  tags: z.array(ZTag).max(20).optional(),
  /** Legacy aliases (`brain-<unix seconds>`). */
  legacy_ids: z.array(z.string().max(32)).max(8).optional(),
  /** A single legacy alias, as robot runtimes name it. */
  legacy_id: z.string().max(32).optional(),
});
export type RegisterInput = z.infer<typeof ZRegisterInput>;

export const ZHeartbeatInput = z
  .object({
    /** When present, must be the signer's own device id or RURI. */
    device_id: z.string().max(64).optional(),
    ruri: z.string().max(512).optional(),
    status: ZReportedStatus.optional(),
    firmware_version: ZVersion.optional(),
    brain_version: ZVersion.optional(),
    current_bundle: ZVersion.nullable().optional(),
    endpoint: z
      .object({
        lan_ip: z.string().max(64).nullable().optional(),
        lan_port: z.number().int().min(1).max(65535).nullable().optional(),
        tunnel_url: z.string().max(300).nullable().optional(),
      })
      .optional(),
    /** Battery level as a fraction, 0–1. */
    battery: z.number().min(0).max(1).optional(),
    metrics: z
      .record(
        z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, "metric names are 1–40 characters: A-Z a-z 0-9 _ . -"),
        z.number(),
      )
      .refine((value) => Object.keys(value).length <= 32, "at most 32 metrics")
      .optional(),
  })
  .default({});
export type HeartbeatInput = z.infer<typeof ZHeartbeatInput>;

export const ZCreateProvisioningTokenInput = z.object({
  model: z.string().regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, "must be a robot model as in RURIs: a-z 0-9 -"),
  manufacturer: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, "must be a manufacturer as in RURIs: a-z 0-9 -")
    .nullable()
    .optional(),
  label: z.string().trim().max(80).optional(),
  /** ISO time; must be in the future. Null or absent: never expires. */
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
  /** Null or absent: unlimited. */
  max_uses: z.number().int().min(1).max(1_000_000).nullable().optional(),
});
export type CreateProvisioningTokenInput = z.infer<typeof ZCreateProvisioningTokenInput>;

export const ZClaimInput = z.object({ local_claim_proof: z.string().trim().min(1).max(4096) });

export const ZDeviceIdInput = z.object({ device_id: z.string().min(1).max(64) });

export const ZUpdateRobotInput = z.object({
  device_id: z.string().min(1).max(64),
  name: ZName.optional(),
  tags: z.array(ZTag).max(20).optional(),
  lookup_visibility: ZLookupVisibility.optional(),
});

export const ROBOT_SORTS = ["name", "registered", "heartbeat"] as const;
export type RobotSort = (typeof ROBOT_SORTS)[number];
export const SHOWN_STATUSES = ["online", "offline", "sleeping"] as const;

export const ZListRobotsInput = z.object({
  q: z.string().trim().max(80).optional(),
  status: z.enum(SHOWN_STATUSES).optional(),
  model: z.string().max(64).optional(),
  tag: z.string().trim().toLowerCase().max(40).optional(),
  /** `mine`: robots the caller owns; `unclaimed`: robots nobody owns (operators). Owners always see only theirs. */
  owner: z.enum(["all", "mine", "unclaimed"]).optional(),
  sort: z.enum(ROBOT_SORTS).optional(),
  cursor: z.string().max(2000).nullable().optional(),
  limit: z.number().int().min(1).max(200).optional(),
});
export type ListRobotsInput = z.infer<typeof ZListRobotsInput>;

// ── Answers (what the verbs return; the API reference and its tests use these) ──────────────────

const ZShownStatus = z.enum(SHOWN_STATUSES);

/** `PublicRobotView` (views.ts): what anyone allowed to know a robot exists sees. */
export const ZPublicRobotView = z.object({
  device_id: z.string(),
  ruri: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  name: z.string(),
  status: ZShownStatus,
  capabilities: z.array(z.string()),
  registered_at: z.string(),
  claimed: z.boolean(),
});

/** `RobotView` (views.ts): the registry document as its owner, operators, admins and the robot itself see it. */
export const ZRobotView = ZPublicRobotView.extend({
  registry: z.string(),
  reported_status: ZReportedStatus,
  owner_uid: z.string().nullable(),
  claimed_at: z.string().nullable(),
  // The registry's own fields, as stored.
  ...ZRobot.pick({
    last_heartbeat: true,
    offline_after: true,
    heartbeat_interval_s: true,
    firmware_version: true,
    brain_version: true,
    current_bundle: true,
    endpoint: true,
    battery: true,
    tags: true,
  }).shape,
  legacy_ids: z.array(z.string()),
  public_key: z.string().nullable(),
  key_fingerprint: z.string().nullable(),
  key_registered_at: z.string().nullable(),
  key_history: z.array(ZKeyEvent),
  lookup_visibility: ZLookupVisibility,
  /** When the re-enrolment token of a pending key reset expires (null when none is pending). */
  reenrolment_expires_at: z.string().nullable(),
});

/** `HeartbeatAnswer` (record-heartbeat.ts); `pending.ota` is `ZPendingUpdate` of lib/ota. */
export const ZHeartbeatAnswer = z.object({
  server_time: z.string(),
  next_heartbeat_s: z.number().int(),
  status: ZShownStatus,
  pending: z.record(z.string(), z.unknown()),
});

/** `HeartbeatPointView` (views.ts). */
export const ZHeartbeatPointView = z.object({
  at: z.string(),
  status: ZReportedStatus,
  battery: z.number().nullable(),
  firmware_version: z.string().nullable(),
  metrics: z.record(z.string(), z.number()),
});

/** `getRobot`'s answer. */
export const ZRobotDetail = z.object({ robot: ZRobotView, heartbeats: z.array(ZHeartbeatPointView) });

/** `KeyResetResult` (reset-robot-key.ts): the re-enrolment token is shown here once. */
export const ZKeyResetAnswer = z.object({
  robot: ZRobotView,
  reenrolment_token: z.string(),
  reenrolment_expires_at: z.string(),
});

/** `ClaimResult` (claim-robot.ts). */
export const ZClaimAnswer = z.object({
  robot: ZRobotView,
  transferred_from: z.string().nullable(),
  already_owner: z.boolean(),
});

/** `ProvisioningTokenView` (views.ts): a token as admins see it, never the secret. */
export const ZProvisioningTokenView = z.object({
  token_id: z.string(),
  hint: z.string(),
  label: z.string(),
  model: z.string(),
  manufacturer: z.string().nullable(),
  state: z.enum(["active", "expired", "revoked", "exhausted"]),
  created_at: z.string(),
  created_by: z.string(),
  expires_at: z.string().nullable(),
  max_uses: z.number().int().nullable(),
  use_count: z.number().int(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

/** `RobotSummary` (views.ts): one row of the robots list. */
export const ZRobotSummary = z.object({
  device_id: z.string(),
  ruri: z.string(),
  name: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  status: ZShownStatus,
  last_heartbeat: z.string(),
  firmware_version: z.string().nullable(),
  battery: z.number().nullable(),
  owner_uid: z.string().nullable(),
  tags: z.array(z.string()),
  registered_at: z.string(),
});
