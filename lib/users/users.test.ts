import { afterEach, describe, expect, it } from "vitest";
import { listAudit } from "@/lib/audit/list-audit";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { authenticateLocal } from "./authenticate-local";
import { changeRole } from "./change-role";
import { listUsers } from "./list-users";
import type { Ctx } from "@/lib/context";
import { credentialId, signUpLocal } from "./sign-up-local";

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

/** Sign up an account that must be new. */
async function signUp(c: Ctx, input: { email: string; password: string; display_name: string }) {
  const outcome = await signUpLocal(c, input);
  if (!outcome.created) throw new Error(`${input.email} already had an account`);
  return outcome;
}

const admin = (uid: string) => ({ kind: "user" as const, uid, role: "admin" as const, email: "a@example.com" });

describe("local accounts", () => {
  it("the first account becomes admin, the next ones owners", async () => {
    ctx = createTestContext();
    const first = await signUp(ctx, {
      email: "Ada@Example.com ",
      password: "correct horse battery",
      display_name: "Ada",
    });
    const second = await signUp(ctx, {
      email: "bob@example.com",
      password: "correct horse battery",
      display_name: "Bob",
    });
    expect(first.user).toMatchObject({ role: "admin", email: "ada@example.com" });
    expect(second.user.role).toBe("owner");
  });

  it.each([
    [{ email: "not-an-email", password: "long enough pw", display_name: "x" }, "valid email"],
    [{ email: "a@b.co", password: "short", display_name: "x" }, "at least 10"],
    [{ email: "a@b.co", password: "long enough pw", display_name: "" }, "Enter a name"],
    [{ email: "a@b.co" }, "password"],
  ])("refuses sign-up input %j", async (input, message) => {
    ctx = createTestContext();
    await expect(signUpLocal(ctx, input)).rejects.toMatchObject({ code: "invalid", reason: "invalid_input" });
    await expect(signUpLocal(ctx, input)).rejects.toThrow(message);
    expect(await ctx.db.store.count("users", {})).toBe(0);
  });

  it("a taken email changes nothing and is told apart only to the caller's code, never in the error", async () => {
    ctx = createTestContext();
    const first = await signUp(ctx, { email: "a@b.co", password: "long enough pw", display_name: "A" });
    const before = await ctx.db.store.get("local_credentials", credentialId("a@b.co"));
    ctx.clock.advance(1000);
    await expect(
      signUpLocal(ctx, { email: "A@B.CO", password: "another long pw", display_name: "A2" }),
    ).resolves.toEqual({ created: false, email: "a@b.co" });
    expect(await ctx.db.store.count("users", {})).toBe(1);
    expect(await ctx.db.store.get("local_credentials", credentialId("a@b.co"))).toEqual(before);
    await expect(authenticateLocal(ctx, { email: "a@b.co", password: "long enough pw" })).resolves.toMatchObject({
      uid: first.uid,
    });
    await expect(authenticateLocal(ctx, { email: "a@b.co", password: "another long pw" })).rejects.toMatchObject({
      reason: "bad_credentials",
    });
    const audit = await listAudit(ctx.as(admin(first.uid)), { action: "user.sign_up" });
    expect(audit.docs.map((doc) => [doc.data.outcome, doc.data.target, doc.data.details])).toEqual([
      ["denied", null, { email: "a@b.co", reason: "email_taken" }],
      ["success", { type: "user", id: first.uid }, { role: "admin" }],
    ]);
  });

  it("limits sign-ups per address to the configured number an hour", async () => {
    ctx = createTestContext({
      config: { rateLimits: { robotPerMinute: 600, userPerMinute: 6000, signupsPerHour: 2, signinsPer15Min: 100 } },
    });
    for (const email of ["a@b.co", "b@b.co"])
      await signUp(ctx, { email, password: "long enough pw", display_name: "A" });
    await expect(
      signUpLocal(ctx, { email: "c@b.co", password: "long enough pw", display_name: "C" }),
    ).rejects.toMatchObject({ code: "rate_limited", reason: "rate_limited" });
    ctx.clock.advance(3600_000);
    await expect(
      signUpLocal(ctx, { email: "c@b.co", password: "long enough pw", display_name: "C" }),
    ).resolves.toMatchObject({ user: { email: "c@b.co" } });
  });

  it("signs in with the right password only, audits failures, and throttles guessing", async () => {
    ctx = createTestContext();
    const { uid } = await signUp(ctx, { email: "a@b.co", password: "long enough pw", display_name: "A" });
    await expect(authenticateLocal(ctx, { email: "a@b.co", password: "long enough pw" })).resolves.toMatchObject({
      uid,
    });
    await expect(authenticateLocal(ctx, { email: "a@b.co", password: "wrong password" })).rejects.toMatchObject({
      code: "unauthenticated",
      reason: "bad_credentials",
    });
    await expect(authenticateLocal(ctx, { email: "nobody@b.co", password: "whatever pw" })).rejects.toMatchObject({
      reason: "bad_credentials",
    });
    for (let i = 0; i < 5; i++)
      await authenticateLocal(ctx, { email: "a@b.co", password: "wrong" }).catch(() => undefined);
    await expect(authenticateLocal(ctx, { email: "a@b.co", password: "long enough pw" })).rejects.toMatchObject({
      code: "rate_limited",
      reason: "sign_in_throttled",
    });
    ctx.clock.advance(15 * 60_000);
    await expect(authenticateLocal(ctx, { email: "a@b.co", password: "long enough pw" })).resolves.toMatchObject({
      uid,
    });
    const audit = await listAudit(ctx.as(admin(uid)), { action: "user.sign_in", outcome: undefined });
    expect(audit.docs.filter((doc) => doc.data.outcome === "failure").length).toBeGreaterThanOrEqual(2);
  });

  it("admins change roles (audited); owners cannot; the last admin stays admin", async () => {
    ctx = createTestContext();
    const first = await signUp(ctx, { email: "a@b.co", password: "long enough pw", display_name: "A" });
    ctx.clock.advance(1000);
    const second = await signUp(ctx, { email: "b@b.co", password: "long enough pw", display_name: "B" });
    const owner = { kind: "user" as const, uid: second.uid, role: "owner" as const, email: "b@b.co" };
    await expect(changeRole(ctx.as(owner), { uid: second.uid, role: "admin" })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(listUsers(ctx.as(owner))).rejects.toMatchObject({ code: "forbidden" });
    await expect(changeRole(ctx.as(admin(first.uid)), { uid: first.uid, role: "owner" })).rejects.toMatchObject({
      reason: "last_admin",
    });
    await changeRole(ctx.as(admin(first.uid)), { uid: second.uid, role: "operator" });
    const users = await listUsers(ctx.as(admin(first.uid)));
    expect(users.docs.map((doc) => doc.data.role)).toEqual(["admin", "operator"]);
    const audit = await listAudit(ctx.as(admin(first.uid)), { action: "user.role_change" });
    expect(audit.docs[0]?.data).toMatchObject({
      target: { id: second.uid },
      details: { from: "owner", to: "operator" },
    });
  });
});
