import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { exportPublicKeyRaw, importPublicKeyRaw, keyFingerprint } from "@/lib/crypto/ed25519-keys";
import { DomainError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { requireRobotSelf } from "./access";
import { applyWrites, facetIdsFor, facetWrites, UNKNOWN_FIRMWARE } from "./facets";
import { provisioningTokenId } from "./provisioning-token-id";
import { parseLegacyAlias, parseRuri } from "./ruri";
import {
  FleetFacets,
  MAX_KEY_EVENTS,
  ProvisioningTokens,
  Robots,
  ZRegisterInput,
  type FleetFacet,
  type Robot,
} from "./schemas";
import { searchTermsFor } from "./search-terms";
import { offlineAfter } from "./status";
import { provisioningTokenState, toRobotView, type RobotView } from "./views";

function tokenRefused(reason: string, message: string): DomainError {
  return new DomainError("forbidden", message, { reason });
}

/**
 * `POST /api/rcan/register`: a robot registers its Ed25519 public key with a provisioning token.
 *
 * The request is signed by the key being registered (the route verifies the signature against the
 * `public_key` of the body), so `ctx.actor` is the robot the signature names and the RURI must name
 * that same robot. Rules:
 * - the token must exist, not be revoked or expired, match the RURI's model (and manufacturer when
 *   the token names one), and have uses left; each new registration uses one;
 * - a device_id registered with another key is refused (409) until an admin resets the key;
 * - registering again with the same key returns the registry document unchanged (and uses nothing);
 * - registering never makes anyone an owner.
 */
export async function registerRobot(ctx: Ctx, rawInput: unknown): Promise<{ robot: RobotView; created: boolean }> {
  const input = parseInput(ZRegisterInput, rawInput, "body");
  const address = parseRuri(input.ruri);
  const { deviceId } = requireRobotSelf(ctx, address.deviceId, "ruri device_id");
  const publicKey = exportPublicKeyRaw(importPublicKeyRaw(input.public_key));
  const fingerprint = keyFingerprint(publicKey);
  const legacyIds = [...new Set([...(input.legacy_ids ?? []), ...(input.legacy_id ? [input.legacy_id] : [])])].map(
    (alias) => parseLegacyAlias(alias).alias,
  );
  const tokenId = provisioningTokenId(input.provisioning_token);
  const now = ctx.now();
  const nowIso = now.toISOString();
  const interval = ctx.config.heartbeatIntervalS;

  return ctx.db.transaction(async (tx) => {
    const token = await tx.get(ProvisioningTokens, tokenId);
    const existing = await tx.get(Robots, deviceId);

    if (!token) {
      throw new DomainError("unauthenticated", "provisioning_token is not a token this registry issued.", {
        reason: "provisioning_token_unknown",
      });
    }
    const state = provisioningTokenState(token.data, now);
    if (state === "revoked") throw tokenRefused("provisioning_token_revoked", "provisioning_token was revoked.");
    if (state === "expired") {
      throw tokenRefused("provisioning_token_expired", `provisioning_token expired at ${token.data.expires_at}.`);
    }
    if (token.data.model !== address.model) {
      throw tokenRefused(
        "provisioning_token_wrong_model",
        `provisioning_token is for model ${token.data.model}, not ${address.model} (from ruri).`,
      );
    }
    if (token.data.manufacturer !== null && token.data.manufacturer !== address.manufacturer) {
      throw tokenRefused(
        "provisioning_token_wrong_model",
        `provisioning_token is for manufacturer ${token.data.manufacturer}, not ${address.manufacturer} (from ruri).`,
      );
    }
    if (existing && existing.data.ruri !== address.identity) {
      throw new DomainError(
        "conflict",
        `device_id ${deviceId} is registered as ${existing.data.ruri}, not ${address.identity}.`,
        { reason: "device_id_taken" },
      );
    }
    if (existing && existing.data.public_key !== null && existing.data.public_key !== publicKey) {
      throw new DomainError(
        "conflict",
        `device_id ${deviceId} is registered with another key (${existing.data.key_fingerprint}); an admin must reset it first.`,
        { reason: "device_id_taken" },
      );
    }
    if (existing && existing.data.public_key === publicKey) {
      return { robot: toRobotView(existing.data, now), created: false };
    }
    if (state === "exhausted") {
      throw tokenRefused(
        "provisioning_token_exhausted",
        `provisioning_token has been used ${token.data.use_count} of ${token.data.max_uses} times.`,
      );
    }

    const firmware = input.firmware_version ?? existing?.data.firmware_version ?? null;
    const before = existing
      ? { model: existing.data.model, firmware: existing.data.firmware_version ?? UNKNOWN_FIRMWARE }
      : null;
    const after = { model: address.model, firmware: firmware ?? UNKNOWN_FIRMWARE };
    const facetIds = facetIdsFor(before, after);
    const facetDocs = new Map<string, FleetFacet | null>();
    for (const id of facetIds) facetDocs.set(id, (await tx.get(FleetFacets, id))?.data ?? null);

    const base = existing?.data;
    const name = input.name ?? base?.name ?? `${address.model} ${deviceId}`;
    const tags = input.tags ? [...new Set(input.tags)] : (base?.tags ?? []);
    const legacy = [...new Set([...(base?.legacy_ids ?? []), ...legacyIds])];
    const keyEvent = { kind: "registered" as const, at: nowIso, by: tokenId, fingerprint, reason: null };
    const robot: Robot = {
      ruri: address.identity,
      device_id: deviceId,
      registry: address.registry,
      manufacturer: address.manufacturer,
      model: address.model,
      name,
      public_key: publicKey,
      key_fingerprint: fingerprint,
      key_registered_at: nowIso,
      key_history: [...(base?.key_history ?? []), keyEvent].slice(-MAX_KEY_EVENTS),
      owner_uid: base?.owner_uid ?? null,
      claimed_at: base?.claimed_at ?? null,
      status: "online",
      last_heartbeat: nowIso,
      offline_after: offlineAfter(now, interval, "online"),
      heartbeat_interval_s: interval,
      firmware_version: firmware,
      brain_version: input.brain_version ?? base?.brain_version ?? null,
      current_bundle: base?.current_bundle ?? null,
      endpoint: base?.endpoint ?? null,
      battery: base?.battery ?? null,
      capabilities: input.capabilities ? [...new Set(input.capabilities)] : (base?.capabilities ?? []),
      tags,
      registered_at: base?.registered_at ?? nowIso,
      updated_at: nowIso,
      legacy_ids: legacy,
      provisioning_token_id: tokenId,
      name_sort: name.toLowerCase(),
      search_terms: [],
    };
    robot.search_terms = searchTermsFor(robot);

    if (existing) tx.set(Robots, deviceId, robot);
    else tx.create(Robots, deviceId, robot);
    tx.update(ProvisioningTokens, tokenId, { use_count: token.data.use_count + 1, last_used_at: nowIso });
    applyWrites(tx, facetWrites(before, after, facetDocs));
    const audit = auditEntry(ctx, {
      action: "robot.register",
      target: { type: "robot", id: deviceId },
      details: {
        ruri: robot.ruri,
        key_fingerprint: fingerprint,
        provisioning_token_id: tokenId,
        rekey: Boolean(existing),
      },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return { robot: toRobotView(robot, now), created: !existing };
  });
}
