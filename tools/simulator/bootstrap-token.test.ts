import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listProvisioningTokens } from "@/lib/robots/list-provisioning-tokens";
import { createRuntime } from "@/server/runtime";
import { BOOTSTRAP_TOKEN_VALID_FOR_S, createBootstrapToken } from "./bootstrap-token";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function tokensIn(dataDir: string) {
  const runtime = await createRuntime({ CONTINUON_DATA_DIR: dataDir, LOG_LEVEL: "silent", CONTINUON_WORKERS: "0" });
  try {
    const ctx = runtime.contextFor({
      kind: "user",
      uid: "usr_admin",
      role: "admin",
      email: "admin@example.com",
    });
    return (await listProvisioningTokens(ctx)).tokens;
  } finally {
    await runtime.close();
  }
}

describe("createBootstrapToken", () => {
  it("creates a token that expires one day after it was made, as the demo's docs say", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bootstrap-token-"));
    dirs.push(dataDir);
    const token = await createBootstrapToken({ dataDir, name: "demo", label: "Demo fleet", maxUses: 4 });
    expect(token).toMatch(/^cpt_/);
    const [record, ...others] = await tokensIn(dataDir);
    expect(others).toEqual([]);
    expect(record).toMatchObject({ label: "Demo fleet", max_uses: 4, created_by: "demo" });
    expect(BOOTSTRAP_TOKEN_VALID_FOR_S).toBe(86_400);
    expect(Date.parse(record!.expires_at!) - Date.parse(record!.created_at)).toBe(86_400_000);
  });

  it("takes a shorter validity", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bootstrap-token-"));
    dirs.push(dataDir);
    await createBootstrapToken({ dataDir, validForS: 600 });
    const [record] = await tokensIn(dataDir);
    expect(Date.parse(record!.expires_at!) - Date.parse(record!.created_at)).toBe(600_000);
  });
});
