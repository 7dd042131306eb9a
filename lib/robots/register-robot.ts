import { timingSafeEqual } from "node:crypto";
import { auditEntry } from "@/lib/audit/append-audit";
import { AuditLog } from "@/lib/audit/schemas";
import type { Ctx } from "@/lib/context";
import { exportPublicKeyRaw, importPublicKeyRaw, keyFingerprint } from "@/lib/crypto/ed25519-keys";
import { DomainError } from "@/lib/errors";
import { fieldValue } from "@/lib/storage/port";
import { Users } from "@/lib/users/schemas";
import { parseInput } from "@/lib/validation";
import { requireRobotSelf } from "./access";
import { applyWrites, facetIdsFor, facetWrites, UNKNOWN_FIRMWARE } from "./facets";
import { provisioningTokenId } from "./provisioning-token-id";
import { parseLegacyAlias, parseRuri } from "./ruri";
import { reenrolmentTokenHash } from "./reset-robot-key";
import {
  ClaimRecords,
  FleetFacets,
  MAX_KEY_EVENTS,
  ProvisioningTokens,
  Robots,
  ZRegisterInput,
  type FleetFacet,
  type KeyEvent,
  type Robot,
} from "./schemas";
import { searchTermsFor } from "./search-terms";
import { offlineAfter } from "./status";
import { provisioningTokenState, toRobotView, type RobotView } from "./views";

function tokenRefused(reason: string, message: string): DomainError {
  return new DomainError("forbidden", message, { reason });
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

function reenrolmentRefused(deviceId: string): DomainError {
  return new DomainError(
    "forbidden",
    `reenrolment_token is not a valid re-enrolment token for device_id ${deviceId} (wrong, already used, replaced by a later reset, or expired); ask an admin to reset the key again.`,
    { reason: "reenrolment_token_invalid" },
  );
}

/**
 * `POST /api/rcan/register`: a robot registers its Ed25519 public key with a provisioning token,
 * or, after an admin reset its key, with the one-time re-enrolment token that reset issued.
 *
 * The request is signed by the key being registered (the route verifies the signature against the
 * `public_key` of the body), so `ctx.actor` is the robot the signature names and the RURI must name
 * that same robot. Rules:
 * - the token must exist, not be revoked or expired, match the RURI's model (and manufacturer when
 *   the token names one), and have uses left; each new registration uses one;
 * - a device_id registered with another key is refused (409) until an admin resets the key;
 * - a device_id whose key an admin reset is refused with a provisioning token (403
 *   `reenrolment_required`): only its re-enrolment token registers it again, once, before it
 *   expires. Re-enrolling ends the robot's ownership (its owner claims it again with a local proof
 *   from the robot) and is audited as `robot.reenrol`;
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
  const reenrolmentToken = input.reenrolment_token;
  if (reenrolmentToken === undefined && input.provisioning_token === undefined) {
    throw new DomainError(
      "invalid",
      "Invalid body: provisioning_token: required (or reenrolment_token after a key reset).",
      {
        reason: "invalid_input",
        details: { issues: [{ path: "provisioning_token", message: "required" }] },
      },
    );
  }
  const tokenId = reenrolmentToken === undefined ? provisioningTokenId(input.provisioning_token ?? "") : null;
  const now = ctx.now();
  const nowIso = now.toISOString();
  const interval = ctx.config.heartbeatIntervalS;

  return ctx.db.transaction(async (tx) => {
    const existing = await tx.get(Robots, deviceId);
    let keyEvent: KeyEvent;
    let previousOwner: string | null = null;
    let tokenUses = 0;

    if (tokenId === null) {
      // Re-enrolment: the token is bound to this device id and replaces the provisioning token.
      if (!existing || existing.data.ruri !== address.identity) throw reenrolmentRefused(deviceId);
      // The signature proves the caller holds the registered key: a retried re-enrolment.
      if (existing.data.public_key === publicKey) return { robot: toRobotView(existing.data, now), created: false };
      const pending = existing.data.reenrolment;
      if (
        existing.data.public_key !== null ||
        !pending ||
        pending.expires_at <= nowIso ||
        !sameHash(pending.token_hash, reenrolmentTokenHash(reenrolmentToken ?? ""))
      ) {
        throw reenrolmentRefused(deviceId);
      }
      previousOwner = existing.data.owner_uid;
      keyEvent = { kind: "reenrolled", at: nowIso, by: pending.issued_by, fingerprint, reason: null };
    } else {
      const token = await tx.get(ProvisioningTokens, tokenId);
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
      if (existing && existing.data.public_key === null) {
        throw new DomainError(
          "forbidden",
          `device_id ${deviceId} had its key reset by an admin; it registers again only with the one-time reenrolment_token issued with that reset, not with a provisioning token.`,
          { reason: "reenrolment_required" },
        );
      }
      if (existing && existing.data.public_key !== publicKey) {
        throw new DomainError(
          "conflict",
          `device_id ${deviceId} is registered with another key (${existing.data.key_fingerprint}); an admin must reset it first.`,
          { reason: "device_id_taken" },
        );
      }
      if (existing) return { robot: toRobotView(existing.data, now), created: false };
      if (state === "exhausted") {
        throw tokenRefused(
          "provisioning_token_exhausted",
          `provisioning_token has been used ${token.data.use_count} of ${token.data.max_uses} times.`,
        );
      }
      tokenUses = token.data.use_count + 1;
      keyEvent = { kind: "registered", at: nowIso, by: tokenId, fingerprint, reason: null };
    }

    const ownerDoc = previousOwner ? await tx.get(Users, previousOwner) : null;
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
      // Registering never makes anyone an owner; re-enrolling ends the ownership (claim again).
      owner_uid: null,
      claimed_at: null,
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
      provisioning_token_id: tokenId ?? base?.provisioning_token_id ?? null,
      reenrolment: null,
      lookup_visibility: base?.lookup_visibility ?? "private",
      name_sort: name.toLowerCase(),
      search_terms: [],
    };
    robot.search_terms = searchTermsFor(robot);

    if (existing) tx.set(Robots, deviceId, robot);
    else tx.create(Robots, deviceId, robot);
    if (tokenId !== null) tx.update(ProvisioningTokens, tokenId, { use_count: tokenUses, last_used_at: nowIso });
    applyWrites(tx, facetWrites(before, after, facetDocs));
    if (existing) {
      // The previous owner's claim does not carry over to a new key: they pair and claim again.
      tx.delete(ClaimRecords, deviceId);
      if (ownerDoc) tx.update(Users, ownerDoc.id, { robots: fieldValue.arrayRemove(deviceId) });
    }
    const audit = auditEntry(ctx, {
      action: tokenId === null ? "robot.reenrol" : "robot.register",
      target: { type: "robot", id: deviceId },
      details:
        tokenId === null
          ? {
              ruri: robot.ruri,
              key_fingerprint: fingerprint,
              reenrolment_issued_by: keyEvent.by,
              previous_owner_uid: previousOwner,
              ownership_ended: previousOwner !== null,
            }
          : { ruri: robot.ruri, key_fingerprint: fingerprint, provisioning_token_id: tokenId, rekey: false },
    });
    tx.create(AuditLog, audit.id, audit.entry);
    return { robot: toRobotView(robot, now), created: !existing };
  });
}
