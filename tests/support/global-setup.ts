import { mkdirSync, writeFileSync } from "node:fs";
import { request as playwrightRequest, type FullConfig } from "@playwright/test";

export const ADMIN = { email: "admin@example.test", password: "admin password 123", display_name: "Admin" };
export const ADMIN_FILE = "test-results/.auth/admin.json";

/**
 * The shared server's first account is the admin every spec can sign in as: a local account on
 * the embedded default, or (cloud mode with AUTH_DRIVER=firebase) an Auth-emulator account whose
 * first sign-in records it as the deployment's first user.
 */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]?.use.baseURL as string;
  const { firebaseIdToken, signInProvider, signInWithIdToken } = await import("./users");
  // As the sign-in page does, the sign-in says where it comes from (cookie-less writes to /api/auth/sign-in need it).
  const api = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { origin: new URL(baseURL).origin } });
  try {
    if ((await signInProvider(api)) === "firebase") {
      const account = { email: ADMIN.email, password: ADMIN.password, displayName: ADMIN.display_name };
      const { idToken } = await firebaseIdToken("signUp", account).catch((error: Error) =>
        // Already made in this emulator (a second Playwright run against the same emulators).
        error.message.includes("EMAIL_EXISTS") ? firebaseIdToken("signInWithPassword", account) : Promise.reject(error),
      );
      await signInWithIdToken(api, idToken);
      const users = await api.get("/api/console/users");
      if (users.status() !== 200)
        throw new Error(`the shared server already had accounts: the admin got ${users.status()}`);
    } else {
      // Sign-up answers 202 whether or not the account existed; signing in tells whose it is.
      const response = await api.post("/api/auth/signup", { data: ADMIN });
      if (response.status() !== 202)
        throw new Error(`admin sign-up failed: ${response.status()} ${await response.text()}`);
      const { signInWithPassword } = await import("./users");
      const { role } = await signInWithPassword(api, ADMIN.email, ADMIN.password);
      if (role !== "admin") throw new Error(`the shared server already had accounts: got role ${role}`);
    }
  } finally {
    await api.dispose();
  }
  mkdirSync("test-results/.auth", { recursive: true });
  writeFileSync(ADMIN_FILE, JSON.stringify(ADMIN));
}
