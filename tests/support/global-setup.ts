import { mkdirSync, writeFileSync } from "node:fs";
import type { FullConfig } from "@playwright/test";

export const ADMIN = { email: "admin@example.test", password: "admin password 123", display_name: "Admin" };
export const ADMIN_FILE = "test-results/.auth/admin.json";

/** The shared server's first account is the admin every spec can sign in as. */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]?.use.baseURL as string;
  const response = await fetch(`${baseURL}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  if (response.status !== 201 && response.status !== 409)
    throw new Error(`admin sign-up failed: ${response.status} ${await response.text()}`);
  if (response.status === 201) {
    const body = (await response.json()) as { role: string };
    if (body.role !== "admin") throw new Error(`the shared server already had accounts: got role ${body.role}`);
  }
  mkdirSync("test-results/.auth", { recursive: true });
  writeFileSync(ADMIN_FILE, JSON.stringify(ADMIN));
}
