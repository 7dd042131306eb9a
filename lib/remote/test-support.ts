/**
 * Test data for remote-session tests (lib/remote, server/relay): users, and registered robots with
 * their device keys, written straight to the store with the collections' own schemas.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import type { Actor, Ctx } from "@/lib/context";
import { exportPublicKeyRaw } from "@/lib/crypto/ed25519-keys";
import { issueClaimProof } from "@/lib/robots/claim-proof";
import { Robots, type Robot } from "@/lib/robots/schemas";
import { Users } from "@/lib/users/schemas";

let counter = 0;

export type UserActor = Extract<Actor, { kind: "user" }>;

export async function seedUser(ctx: Ctx, role: UserActor["role"] = "owner"): Promise<UserActor> {
  const uid = `user${++counter}${Math.random().toString(36).slice(2, 8)}`;
  const email = `${uid}@example.test`;
  await ctx.db.create(Users, uid, {
    email,
    display_name: uid,
    role,
    created_at: ctx.now().toISOString(),
    robots: [],
    auth_provider: "local",
    last_sign_in_at: null,
  });
  return { kind: "user", uid, role, email };
}

export interface SeededRobot {
  deviceId: string;
  ruri: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** A claim proof for `userUid`, as the robot issues after in-person pairing. */
  claimProof(userUid: string, options?: { iat?: number; privateKey?: KeyObject }): Promise<string>;
}

export async function seedRobot(ctx: Ctx, input: { ownerUid: string | null; deviceId?: string }): Promise<SeededRobot> {
  const deviceId = input.deviceId ?? (Math.floor(Math.random() * 0xffffffff) >>> 0).toString(16).padStart(8, "0");
  const ruri = `rcan://continuon.cloud/continuon/companion-v1/${deviceId}`;
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const now = ctx.now().toISOString();
  const robot: Robot = {
    ruri,
    device_id: deviceId,
    registry: "continuon.cloud",
    manufacturer: "continuon",
    model: "companion-v1",
    name: `Robot ${deviceId}`,
    public_key: exportPublicKeyRaw(publicKey),
    key_fingerprint: null,
    key_registered_at: now,
    key_history: [],
    owner_uid: input.ownerUid,
    claimed_at: input.ownerUid ? now : null,
    status: "online",
    last_heartbeat: now,
    offline_after: new Date(ctx.now().getTime() + 180_000).toISOString(),
    heartbeat_interval_s: 60,
    firmware_version: null,
    brain_version: null,
    current_bundle: null,
    endpoint: null,
    battery: null,
    capabilities: [],
    tags: [],
    registered_at: now,
    updated_at: now,
    legacy_ids: [],
    provisioning_token_id: null,
    name_sort: `robot ${deviceId}`,
    search_terms: [],
  };
  await ctx.db.create(Robots, deviceId, robot);
  return {
    deviceId,
    ruri,
    privateKey,
    publicKey,
    claimProof: (userUid, options = {}) =>
      issueClaimProof({
        ruri,
        userUid,
        privateKey: options.privateKey ?? privateKey,
        iat: options.iat ?? Math.floor(ctx.now().getTime() / 1000) - 60,
      }),
  };
}
