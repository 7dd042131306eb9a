import { afterEach, describe, expect, it } from "vitest";
import { listAudit } from "@/lib/audit/list-audit";
import type { Ctx } from "@/lib/context";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { authenticateLocal } from "./authenticate-local";
import { changePassword } from "./change-password";
import { changeRole } from "./change-role";
import { endSessions, sessionStillValid } from "./end-sessions";
import { Users } from "./schemas";
import { setUserDisabled } from "./set-user-disabled";
import { delayAfterFailures, FREE_FAILURES, MAX_DELAY_S, sweepSignInThrottles } from "./sign-in-throttle";
import { credentialId, signUpLocal } from "./sign-up-local";

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

const PASSWORD = "correct horse battery";

async function account(c: Ctx, email: string) {
  const outcome = await signUpLocal(c, { email, password: PASSWORD, display_name: email.split("@")[0] ?? "x" });
  if (!outcome.created) throw new Error("taken");
  return outcome;
}

/** The same context seen from another client address. */
const from = (c: TestContext, ip: string): Ctx => ({ ...c, request: { ...c.request, ip } });

const userActor = (uid: string, role: "owner" | "operator" | "admin", email: string) => ({
  kind: "user" as const,
  uid,
  role,
  email,
});

describe("password policy", () => {
  it.each([
    ["1234567890", "one of the hundred most used passwords"],
    ["aaaaaaaaaa", "repeats a character"],
    ["password123", "commonly used and breached"],
    ["qwertyuiop", "one of the hundred most used passwords"],
    ["iloveyou12", "small change to a commonly used password"],
    ["ada@example.test", "contains your name or email address"],
  ])("refuses %j on sign-up, saying why (%s), and creates nothing", async (password, why) => {
    ctx = createTestContext();
    const attempt = signUpLocal(ctx, { email: "ada@example.test", password, display_name: "Ada" });
    await expect(attempt).rejects.toMatchObject({ code: "invalid", reason: "weak_password" });
    await expect(signUpLocal(ctx, { email: "ada@example.test", password, display_name: "Ada" })).rejects.toThrow(why);
    expect(await ctx.db.store.count("users", {})).toBe(0);
    expect(await ctx.db.store.count("local_credentials", {})).toBe(0);
  });

  it("refuses a weak new password on a password change and keeps the old one", async () => {
    ctx = createTestContext();
    const { uid, user } = await account(ctx, "ada@example.test");
    const me = ctx.as(userActor(uid, user.role, user.email));
    const before = await ctx.db.store.get("local_credentials", credentialId("ada@example.test"));
    await expect(changePassword(me, { current_password: PASSWORD, new_password: "password123" })).rejects.toMatchObject(
      { code: "invalid", reason: "weak_password" },
    );
    expect(await ctx.db.store.get("local_credentials", credentialId("ada@example.test"))).toEqual(before);
    expect((await ctx.db.get(Users, uid))?.data.session_version ?? 0).toBe(0);
  });
});

describe("sign-in throttling per account and address", () => {
  it("blocks one address after five failures, doubling the wait; other addresses keep signing in", async () => {
    ctx = createTestContext();
    const { uid } = await account(ctx, "ada@example.test");
    const attacker = from(ctx, "203.0.113.9");
    for (let i = 0; i < FREE_FAILURES; i++) {
      await expect(
        authenticateLocal(attacker, { email: "ada@example.test", password: `wrong guess ${i}` }),
      ).rejects.toMatchObject({ reason: "bad_credentials" });
    }
    // Blocked from there for 30 s, the right password included …
    await expect(authenticateLocal(attacker, { email: "ada@example.test", password: PASSWORD })).rejects.toMatchObject({
      code: "rate_limited",
      reason: "sign_in_throttled",
      retryAfterS: 30,
    });
    // … while the owner's own client signs in.
    await expect(authenticateLocal(ctx, { email: "ada@example.test", password: PASSWORD })).resolves.toMatchObject({
      uid,
    });
    ctx.clock.advance(29_000);
    await expect(authenticateLocal(attacker, { email: "ada@example.test", password: "x" })).rejects.toMatchObject({
      reason: "sign_in_throttled",
      retryAfterS: 1,
    });
    ctx.clock.advance(1_000);
    await expect(authenticateLocal(attacker, { email: "ada@example.test", password: "x" })).rejects.toMatchObject({
      reason: "bad_credentials",
    });
    await expect(authenticateLocal(attacker, { email: "ada@example.test", password: "x" })).rejects.toMatchObject({
      reason: "sign_in_throttled",
      retryAfterS: 60,
    });
    const audit = await listAudit(ctx.as(userActor(uid, "admin", "ada@example.test")), { action: "user.sign_in" });
    const denied = audit.docs.filter((doc) => doc.data.outcome === "denied");
    expect(denied.map((doc) => [doc.data.ip, doc.data.details])).toEqual([
      ["203.0.113.9", { email: "ada@example.test", reason: "throttled", scope: "account_address", retry_after_s: 60 }],
      ["203.0.113.9", { email: "ada@example.test", reason: "throttled", scope: "account_address", retry_after_s: 1 }],
      ["203.0.113.9", { email: "ada@example.test", reason: "throttled", scope: "account_address", retry_after_s: 30 }],
    ]);
  });

  it("waits 30 s, 1, 2, 4, 8 min, then 15 min at most", () => {
    expect([4, 5, 6, 7, 8, 9, 10, 20].map(delayAfterFailures)).toEqual([0, 30, 60, 120, 240, 480, MAX_DELAY_S, 900]);
  });

  it("failures from many addresses do not lock the owner out", async () => {
    ctx = createTestContext();
    const { uid } = await account(ctx, "ada@example.test");
    for (let host = 1; host <= 12; host++) {
      for (let i = 0; i < 6; i++)
        await authenticateLocal(from(ctx, `198.51.100.${host}`), { email: "ada@example.test", password: "nope" }).catch(
          () => undefined,
        );
    }
    await expect(authenticateLocal(ctx, { email: "ada@example.test", password: PASSWORD })).resolves.toMatchObject({
      uid,
    });
  });

  it("parallel guesses from one address: only five reach the password check", async () => {
    ctx = createTestContext();
    await account(ctx, "ada@example.test");
    const attacker = from(ctx, "203.0.113.9");
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        authenticateLocal(attacker, { email: "ada@example.test", password: `g${i}` }),
      ),
    );
    const reasons = results.map((result) =>
      result.status === "rejected" ? (result.reason as { reason: string }).reason : "ok",
    );
    expect(reasons.filter((reason) => reason === "bad_credentials")).toHaveLength(FREE_FAILURES);
    expect(reasons.filter((reason) => reason === "sign_in_throttled")).toHaveLength(20 - FREE_FAILURES);
  });

  it("an address over its own limit is refused for every account; a success clears the account's count; records are swept a day later", async () => {
    ctx = createTestContext({
      config: { rateLimits: { robotPerMinute: 600, userPerMinute: 6000, signupsPerHour: 100, signinsPer15Min: 12 } },
    });
    await account(ctx, "ada@example.test");
    await account(ctx, "bob@example.test");
    const attacker = from(ctx, "203.0.113.9");
    for (let i = 0; i < 4; i++)
      await authenticateLocal(attacker, { email: "ada@example.test", password: "no" }).catch(() => undefined);
    await authenticateLocal(attacker, { email: "ada@example.test", password: PASSWORD });
    for (let i = 0; i < 4; i++)
      await authenticateLocal(attacker, { email: "ada@example.test", password: "no" }).catch(() => undefined);
    // still not blocked for ada: the success reset the count
    await expect(authenticateLocal(attacker, { email: "ada@example.test", password: PASSWORD })).resolves.toBeTruthy();
    for (let i = 0; i < 2; i++)
      await authenticateLocal(attacker, { email: "bob@example.test", password: "no" }).catch(() => undefined);
    await expect(authenticateLocal(attacker, { email: "bob@example.test", password: PASSWORD })).rejects.toMatchObject({
      reason: "sign_in_throttled",
    });
    await expect(authenticateLocal(ctx, { email: "bob@example.test", password: PASSWORD })).resolves.toBeTruthy();
    expect(await ctx.db.store.count("sign_in_throttles", {})).toBe(1);
    ctx.clock.advance(24 * 3600_000 + 1);
    expect(await sweepSignInThrottles(ctx)).toBe(1);
    expect(await ctx.db.store.count("sign_in_throttles", {})).toBe(0);
  });
});

describe("ending sessions", () => {
  async function twoAccounts() {
    ctx = createTestContext();
    const admin = await account(ctx, "admin@example.test");
    ctx.clock.advance(1000);
    const owner = await account(ctx, "olly@example.test");
    const adminCtx = ctx.as(userActor(admin.uid, "admin", "admin@example.test"));
    const ownerCtx = ctx.as(userActor(owner.uid, "owner", "olly@example.test"));
    const current = async () => (await ctx.db.get(Users, owner.uid))!.data;
    return { admin, owner, adminCtx, ownerCtx, current };
  }

  it("sign-out ends the account's sessions once; an ended session cannot sign out again", async () => {
    const { owner, current } = await twoAccounts();
    expect(sessionStillValid(await current(), 0)).toBe(true);
    expect(sessionStillValid(await current(), undefined)).toBe(true);
    expect(await endSessions(ctx, owner.uid, 0)).toBe(true);
    expect(sessionStillValid(await current(), 0)).toBe(false);
    expect(sessionStillValid(await current(), undefined)).toBe(false);
    expect(await endSessions(ctx, owner.uid, 0)).toBe(false);
    expect((await current()).session_version).toBe(1);
  });

  it("a role change ends the user's sessions", async () => {
    const { owner, adminCtx, current } = await twoAccounts();
    await changeRole(adminCtx, { uid: owner.uid, role: "operator" });
    expect(sessionStillValid(await current(), 0)).toBe(false);
    expect(sessionStillValid(await current(), 1)).toBe(true);
  });

  it("disabling ends the sessions and refuses sign-in; enabling lets the owner sign in again", async () => {
    const { owner, adminCtx, ownerCtx, current, admin } = await twoAccounts();
    await expect(setUserDisabled(ownerCtx, { uid: admin.uid, disabled: true })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(setUserDisabled(adminCtx, { uid: admin.uid, disabled: true })).rejects.toMatchObject({
      reason: "cannot_disable_self",
    });
    await setUserDisabled(adminCtx, { uid: owner.uid, disabled: true });
    const disabled = await current();
    expect(disabled.disabled_at).toBe(ctx.now().toISOString());
    expect(sessionStillValid(disabled, 1)).toBe(false);
    await expect(authenticateLocal(ctx, { email: "olly@example.test", password: PASSWORD })).rejects.toMatchObject({
      code: "unauthenticated",
      reason: "account_disabled",
    });
    await setUserDisabled(adminCtx, { uid: owner.uid, disabled: false });
    expect(sessionStillValid(await current(), 1)).toBe(true);
    await expect(authenticateLocal(ctx, { email: "olly@example.test", password: PASSWORD })).resolves.toMatchObject({
      uid: owner.uid,
    });
  });

  it("a password change needs the current password and ends every session", async () => {
    const { owner, ownerCtx, current } = await twoAccounts();
    await expect(
      changePassword(ownerCtx, { current_password: "not my password", new_password: "purple walrus orbit lantern" }),
    ).rejects.toMatchObject({ code: "invalid", reason: "wrong_current_password" });
    expect(sessionStillValid(await current(), 0)).toBe(true);
    await changePassword(ownerCtx, { current_password: PASSWORD, new_password: "purple walrus orbit lantern" });
    expect(sessionStillValid(await current(), 0)).toBe(false);
    await expect(authenticateLocal(ctx, { email: "olly@example.test", password: PASSWORD })).rejects.toMatchObject({
      reason: "bad_credentials",
    });
    await expect(
      authenticateLocal(ctx, { email: "olly@example.test", password: "purple walrus orbit lantern" }),
    ).resolves.toMatchObject({ uid: owner.uid, user: { session_version: 1 } });
  });
});
