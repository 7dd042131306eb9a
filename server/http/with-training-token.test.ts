import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingToken } from "@/lib/training/create-training-token";
import { revokeTrainingToken } from "@/lib/training/revoke-training-token";
import { createRuntime, type Runtime } from "@/server/runtime";
import { withTrainingToken, withTrainingTokenOrUser } from "./with-training-token";

let runtime: Runtime;
let dir: string;
let worker: string;
let reader: string;
let revoked: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "training-with-token-"));
  runtime = await createRuntime({ CONTINUON_DATA_DIR: dir, LOG_LEVEL: "silent", CONTINUON_STRICT_INDEXES: "1" });
  const admin = runtime.contextFor({ kind: "user", uid: "u_admin", role: "admin", email: "admin@example.test" });
  worker = (await createTrainingToken(admin, { name: "worker" })).token;
  reader = (await createTrainingToken(admin, { name: "reader", scopes: ["training:read"] })).token;
  const gone = await createTrainingToken(admin, { name: "gone" });
  revoked = gone.token;
  await revokeTrainingToken(admin, gone.record.id);
});

afterAll(async () => {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

const info = { requestId: "req_1", ip: "10.0.0.9", userAgent: "test" };
function input(authorization?: string) {
  const headers = new Headers(authorization ? { authorization } : {});
  return {
    request: new Request("http://localhost/api/training/claim", { method: "POST", headers }),
    runtime,
    info,
    bodyBytes: null,
  };
}

describe("withTrainingToken", () => {
  it("resolves a training token to a training actor", async () => {
    const result = await withTrainingToken("training")(input(`Bearer ${worker}`));
    expect(result.actor).toMatchObject({ kind: "training", tokenId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await expect(withTrainingToken("training:read")(input(`bearer ${reader}`))).resolves.toMatchObject({
      actor: { kind: "training" },
    });
  });

  it.each([
    ["no header", undefined, "unauthenticated", "training_token_required"],
    ["a Basic header", "Basic dXNlcjpwYXNz", "unauthenticated", "training_token_required"],
    ["an unknown token", `Bearer ctt_${"A".repeat(43)}`, "unauthenticated", "unknown_token"],
    ["a provisioning token", `Bearer cpt_${"A".repeat(43)}`, "unauthenticated", "unknown_token"],
    ["a revoked token", () => `Bearer ${revoked}`, "unauthenticated", "token_revoked"],
    ["a read-only token on a worker route", () => `Bearer ${reader}`, "forbidden", "insufficient_scope"],
  ])("refuses %s", async (_name, header, code, reason) => {
    const value = typeof header === "function" ? header() : header;
    await expect(withTrainingToken("training")(input(value))).rejects.toMatchObject({ code, reason });
  });

  it("shared routes take a ctt_ bearer as a token and anything else as a signed-in user", async () => {
    await expect(withTrainingTokenOrUser("training")(input(`Bearer ${worker}`))).resolves.toMatchObject({
      actor: { kind: "training" },
    });
    await expect(withTrainingTokenOrUser("training")(input())).rejects.toMatchObject({
      code: "unauthenticated",
      reason: "sign_in_required",
    });
  });
});
