import { request as playwrightRequest, test, type APIRequestContext, type Page } from "@playwright/test";

export interface SignedInUser {
  uid: string;
  email: string;
  password: string;
  role: string;
  /** A request context carrying this user's session cookie. */
  api: APIRequestContext;
}

let counter = 0;

/**
 * A request context that talks to the server as our own pages do: a browser sends `Origin` on every
 * write, and the server refuses cookie-authenticated writes without it (/docs/security).
 */
export function sessionApi(baseURL: string, options: { storageState?: StorageState } = {}): Promise<APIRequestContext> {
  return playwrightRequest.newContext({
    baseURL,
    extraHTTPHeaders: { origin: new URL(baseURL).origin },
    ...options,
  });
}

/** A unique email for this test run. */
export function uniqueEmail(label: string): string {
  return `${label}-${Date.now().toString(36)}-${++counter}@example.test`;
}

/**
 * How a server signs users in: `credentials` (local accounts, the embedded default) or `firebase`
 * (Firebase ID tokens, cloud mode with AUTH_DRIVER=firebase). Asked from next-auth's provider list,
 * so the helpers follow the server they talk to, whatever the test's own environment says.
 */
export async function signInProvider(api: APIRequestContext): Promise<"credentials" | "firebase"> {
  const response = await api.get("/api/auth/providers");
  if (!response.ok()) throw new Error(`auth providers: ${response.status()} ${await response.text()}`);
  const providers = (await response.json()) as Record<string, unknown>;
  if ("firebase" in providers) return "firebase";
  if ("credentials" in providers) return "credentials";
  throw new Error(`unknown sign-in providers: ${Object.keys(providers).join(", ")}`);
}

/**
 * An email/password account in the Firebase Auth emulator named by FIREBASE_AUTH_EMULATOR_HOST
 * (the one `scripts/test-cloud-mode.mjs` starts): `signUp` creates it, `signInWithPassword` signs
 * in. Returns a fresh ID token for the emulator's project.
 */
export async function firebaseIdToken(
  action: "signUp" | "signInWithPassword",
  account: { email: string; password: string; displayName?: string },
): Promise<{ idToken: string; uid: string }> {
  const host = process.env.FIREBASE_AUTH_EMULATOR_HOST;
  if (!host) {
    throw new Error(
      "The server signs in with Firebase, but FIREBASE_AUTH_EMULATOR_HOST is not set (run the suite through scripts/test-cloud-mode.mjs).",
    );
  }
  const key = process.env.FIREBASE_API_KEY ?? "demo-api-key";
  const response = await fetch(`http://${host}/identitytoolkit.googleapis.com/v1/accounts:${action}?key=${key}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...account, returnSecureToken: true }),
  });
  const body = (await response.json()) as { idToken?: string; localId?: string; error?: { message?: string } };
  if (!body.idToken || !body.localId) {
    throw new Error(`Auth emulator ${action} for ${account.email} failed: ${body.error?.message ?? response.status}`);
  }
  return { idToken: body.idToken, uid: body.localId };
}

/** Trade a Firebase ID token for a session (next-auth's `firebase` credentials provider). */
export async function signInWithIdToken(api: APIRequestContext, idToken: string): Promise<void> {
  const csrf = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await api.post("/api/auth/callback/firebase", {
    form: { csrfToken: csrf.csrfToken, idToken, json: "true", callbackUrl: "/console" },
    maxRedirects: 0,
  });
  if (response.status() >= 400) throw new Error(`Firebase sign-in failed: ${response.status()}`);
  await expectSession(api);
}

async function expectSession(api: APIRequestContext): Promise<string> {
  const session = (await (await api.get("/api/auth/session")).json()) as { uid?: string };
  if (!session.uid) throw new Error("sign-in did not produce a session");
  return session.uid;
}

/**
 * Sign up and sign in, returning a request context holding the session cookie. Local accounts go
 * through the real sign-up endpoint and next-auth's credentials flow; on a server that signs in
 * with Firebase, the account is made in the Auth emulator and its ID token traded for a session
 * (the server records the user on that first sign-in: the first one becomes admin, as locally).
 */
export async function signUpAndSignIn(
  baseURL: string,
  label = "user",
  password = "correct horse battery",
): Promise<SignedInUser> {
  const api = await sessionApi(baseURL);
  const email = uniqueEmail(label);
  if ((await signInProvider(api)) === "firebase") {
    const { idToken, uid } = await firebaseIdToken("signUp", { email, password, displayName: label });
    await signInWithIdToken(api, idToken);
    // A user just recorded is the admin (the deployment's first) or an owner; only admins list users.
    const role = (await api.get("/api/console/users?limit=1")).status() === 200 ? "admin" : "owner";
    return { uid, email, password, role, api };
  }
  const signup = await api.post("/api/auth/signup", { data: { email, password, display_name: label } });
  if (signup.status() !== 202) throw new Error(`sign-up failed: ${signup.status()} ${await signup.text()}`);
  const { uid, role } = await signInWithPassword(api, email, password);
  return { uid, email, password, role, api };
}

/**
 * Sign an account in on `api`: email + password locally. On a Firebase server the account is the
 * Auth emulator's; one the emulator does not know yet is made there first, as Google would know
 * any Google account, so a spec written for local accounts (sign up, then sign in) still gets its
 * user, recorded by the server on this first sign-in.
 */
export async function signIn(api: APIRequestContext, email: string, password: string): Promise<void> {
  if ((await signInProvider(api)) === "firebase") {
    const { idToken } = await firebaseIdToken("signInWithPassword", { email, password }).catch((error: Error) =>
      error.message.includes("EMAIL_NOT_FOUND")
        ? firebaseIdToken("signUp", { email, password })
        : Promise.reject(error),
    );
    await signInWithIdToken(api, idToken);
    return;
  }
  const csrf = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await api.post("/api/auth/callback/credentials", {
    form: { csrfToken: csrf.csrfToken, email, password, json: "true", callbackUrl: "/console" },
    maxRedirects: 0,
  });
  if (response.status() >= 400) throw new Error(`sign-in failed: ${response.status()}`);
  await expectSession(api);
}

/**
 * An admin gives `user` a role through the real endpoint. A role change ends the user's sessions,
 * so the user signs in again and `user.api` carries the new session.
 */
export async function changeRoleAndSignInAgain(
  admin: APIRequestContext,
  user: SignedInUser,
  role: "owner" | "operator" | "admin",
): Promise<SignedInUser> {
  const change = await admin.patch(`/api/console/users/${user.uid}/role`, { data: { role } });
  if (change.status() !== 200) throw new Error(`role change: ${change.status()} ${await change.text()}`);
  await signIn(user.api, user.email, user.password);
  return { ...user, role };
}

/**
 * Sign a local account in through `POST /api/auth/sign-in` (what the sign-in form calls), keeping
 * the session cookie on `api`; answers who signed in.
 */
export async function signInWithPassword(
  api: APIRequestContext,
  email: string,
  password: string,
): Promise<{ uid: string; role: string }> {
  const response = await api.post("/api/auth/sign-in", { data: { email, password } });
  if (response.status() !== 200) throw new Error(`sign-in failed: ${response.status()} ${await response.text()}`);
  return (await response.json()) as { uid: string; role: string };
}

type StorageState = Awaited<ReturnType<APIRequestContext["storageState"]>>;
const adminSessions = new Map<string, Promise<StorageState>>();

/**
 * A request context signed in as the shared server's admin (created by the global setup). The
 * admin signs in once per server and worker and the session cookie is reused: the server allows
 * throttles sign-ins per account and address, and most specs want the admin.
 */
export async function adminApi(baseURL: string): Promise<APIRequestContext> {
  let session = adminSessions.get(baseURL);
  if (!session) {
    session = (async () => {
      const { ADMIN } = await import("./global-setup");
      const api = await playwrightRequest.newContext({ baseURL });
      try {
        await signIn(api, ADMIN.email, ADMIN.password);
        return await api.storageState();
      } finally {
        await api.dispose();
      }
    })();
    adminSessions.set(baseURL, session);
    session.catch(() => adminSessions.delete(baseURL));
  }
  return sessionApi(baseURL, { storageState: await session });
}

/**
 * Give a browser page the admin's session from {@link adminApi} as its cookies, so specs that are
 * not about the sign-in form do not each spend one of the admin's limited sign-ins.
 */
export async function useAdminSession(page: Page): Promise<void> {
  const api = await adminApi(test.info().project.use.baseURL!);
  const { cookies } = await api.storageState();
  await api.dispose();
  await page.context().addCookies(cookies);
}
