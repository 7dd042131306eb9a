import { afterEach, describe, expect, it } from "vitest";
import { listAudit } from "@/lib/audit/list-audit";
import { createTestContext, type TestContext } from "@/server/testing/create-test-context";
import { authenticateTrainingToken, LAST_USED_RESOLUTION_MS } from "./authenticate-training-token";
import { createTrainingToken } from "./create-training-token";
import { listTrainingTokens } from "./list-training-tokens";
import { revokeTrainingToken } from "./revoke-training-token";
import { TrainingTokens } from "./schemas";
import { ADMIN, OPERATOR } from "./testing/actors";
import { trainingTokenId } from "./training-token-id";

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

describe("training tokens", () => {
  it("are created by admins only, shown once, and stored as a hash", async () => {
    ctx = createTestContext();
    await expect(createTrainingToken(ctx.as(OPERATOR), { name: "colab" })).rejects.toMatchObject({
      code: "forbidden",
      reason: "role_required",
    });
    const { token, record } = await createTrainingToken(ctx.as(ADMIN), { name: "colab" });
    expect(token).toMatch(/^ctt_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({ name: "colab", scopes: ["training"], state: "active", last_used_at: null });
    expect(record.id).toBe(trainingTokenId(token));
    const stored = await ctx.db.store.get("training_tokens", record.id);
    expect(JSON.stringify(stored?.data)).not.toContain(token.slice(4));
    const listed = await listTrainingTokens(ctx.as(ADMIN));
    expect(JSON.stringify(listed)).not.toContain(token.slice(4));
    expect(listed.tokens).toHaveLength(1);
    const audit = await listAudit(ctx.as(ADMIN), { action: "training_token.create" });
    expect(audit.docs[0]?.data.target?.id).toBe(record.id);
  });

  it.each([
    ["a blank name", { name: "  " }, "invalid_input"],
    ["an unknown scope", { name: "x", scopes: ["admin"] }, "invalid_input"],
    ["an expiry in the past", { name: "x", expires_at: "2020-01-01T00:00:00Z" }, "invalid_input"],
    ["an unknown field", { name: "x", role: "admin" }, "invalid_input"],
  ])("refuses %s and stores nothing", async (_name, input, reason) => {
    ctx = createTestContext();
    await expect(createTrainingToken(ctx.as(ADMIN), input)).rejects.toMatchObject({ code: "invalid", reason });
    expect(await ctx.db.count(TrainingTokens)).toBe(0);
  });

  it("authenticates, records last use at most once a minute, and refuses revoked, expired, unknown and wrong-scope tokens", async () => {
    ctx = createTestContext();
    const { token, record } = await createTrainingToken(ctx.as(ADMIN), {
      name: "worker",
      expires_at: new Date(ctx.now().getTime() + 3600_000).toISOString(),
    });
    const { token: reader } = await createTrainingToken(ctx.as(ADMIN), { name: "analysis", scopes: ["training:read"] });
    await expect(authenticateTrainingToken(ctx, token, "training")).resolves.toMatchObject({ tokenId: record.id });
    const first = (await ctx.db.get(TrainingTokens, record.id))?.data.last_used_at;
    expect(first).toBe(ctx.now().toISOString());
    ctx.clock.advance(LAST_USED_RESOLUTION_MS / 2);
    await authenticateTrainingToken(ctx, token, "training");
    expect((await ctx.db.get(TrainingTokens, record.id))?.data.last_used_at).toBe(first);
    ctx.clock.advance(LAST_USED_RESOLUTION_MS);
    await authenticateTrainingToken(ctx, token, "training:read");
    expect((await ctx.db.get(TrainingTokens, record.id))?.data.last_used_at).toBe(ctx.now().toISOString());

    const cases: Array<[string, string, "training" | "training:read", string, string]> = [
      ["a read-only token on a worker call", reader, "training", "forbidden", "insufficient_scope"],
      [
        "a provisioning token",
        "cpt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "training",
        "unauthenticated",
        "unknown_token",
      ],
      ["an unknown training token", `ctt_${"B".repeat(43)}`, "training", "unauthenticated", "unknown_token"],
    ];
    for (const [, candidate, scope, code, reason] of cases) {
      await expect(authenticateTrainingToken(ctx, candidate, scope)).rejects.toMatchObject({ code, reason });
    }
    await expect(authenticateTrainingToken(ctx, reader, "training:read")).resolves.toBeTruthy();

    ctx.clock.advance(3600_000);
    await expect(authenticateTrainingToken(ctx, token, "training")).rejects.toMatchObject({
      code: "unauthenticated",
      reason: "token_expired",
    });
  });

  it("revokes once (audited); a revoked token is refused", async () => {
    ctx = createTestContext();
    const { token, record } = await createTrainingToken(ctx.as(ADMIN), { name: "worker" });
    await expect(revokeTrainingToken(ctx.as(OPERATOR), record.id)).rejects.toMatchObject({ code: "forbidden" });
    const revoked = await revokeTrainingToken(ctx.as(ADMIN), record.id);
    expect(revoked).toMatchObject({ state: "revoked", revoked_by: "admin@example.test" });
    await expect(revokeTrainingToken(ctx.as(ADMIN), record.id)).rejects.toMatchObject({
      code: "conflict",
      reason: "already_revoked",
    });
    await expect(revokeTrainingToken(ctx.as(ADMIN), "nope")).rejects.toMatchObject({ code: "not_found" });
    await expect(authenticateTrainingToken(ctx, token, "training")).rejects.toMatchObject({
      code: "unauthenticated",
      reason: "token_revoked",
    });
    const audit = await listAudit(ctx.as(ADMIN), { action: "training_token.revoke" });
    expect(audit.docs).toHaveLength(1);
  });
});
