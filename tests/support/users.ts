import { request as playwrightRequest, type APIRequestContext } from "@playwright/test";

export interface SignedInUser {
  uid: string;
  email: string;
  password: string;
  role: string;
  /** A request context carrying this user's session cookie. */
  api: APIRequestContext;
}

let counter = 0;

/** A unique email for this test run. */
export function uniqueEmail(label: string): string {
  return `${label}-${Date.now().toString(36)}-${++counter}@example.test`;
}

/**
 * Sign up (through the real endpoint) and sign in through next-auth's credentials flow, returning a
 * request context holding the session cookie.
 */
export async function signUpAndSignIn(
  baseURL: string,
  label = "user",
  password = "correct horse battery",
): Promise<SignedInUser> {
  const api = await playwrightRequest.newContext({ baseURL });
  const email = uniqueEmail(label);
  const signup = await api.post("/api/auth/signup", { data: { email, password, display_name: label } });
  if (signup.status() !== 201) throw new Error(`sign-up failed: ${signup.status()} ${await signup.text()}`);
  const { uid, role } = (await signup.json()) as { uid: string; role: string };
  await signIn(api, email, password);
  return { uid, email, password, role, api };
}

export async function signIn(api: APIRequestContext, email: string, password: string): Promise<void> {
  const csrf = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await api.post("/api/auth/callback/credentials", {
    form: { csrfToken: csrf.csrfToken, email, password, json: "true", callbackUrl: "/console" },
    maxRedirects: 0,
  });
  if (response.status() >= 400) throw new Error(`sign-in failed: ${response.status()}`);
  const session = (await (await api.get("/api/auth/session")).json()) as { uid?: string };
  if (!session.uid) throw new Error("sign-in did not produce a session");
}

/** A request context signed in as the shared server's admin (created by the global setup). */
export async function adminApi(baseURL: string): Promise<APIRequestContext> {
  const { ADMIN } = await import("./global-setup");
  const api = await playwrightRequest.newContext({ baseURL });
  await signIn(api, ADMIN.email, ADMIN.password);
  return api;
}
