import { startFirebaseAuthEmulator } from "../../tools/cloud-emulators/firebase-auth-emulator";
import { freePort } from "./test-server";

export interface AuthEmulator {
  host: string;
  projectId: string;
  /** Create an email/password account in the emulator and return its ID token and uid. */
  signUp(email: string, password: string): Promise<{ idToken: string; uid: string }>;
  stop(): Promise<void>;
}

/**
 * A Firebase Auth emulator of the test's own (firebase-tools, a devDependency), on free ports,
 * with a `demo-*` project so nothing reaches real Firebase.
 */
export async function startAuthEmulator(projectId = "demo-continuon"): Promise<AuthEmulator> {
  const ports = { auth: await freePort(), hub: await freePort(), logging: await freePort() };
  const emulator = await startFirebaseAuthEmulator({ projectId, ports });
  return {
    host: emulator.host,
    projectId,
    async signUp(email, password) {
      const response = await fetch(
        `http://${emulator.host}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email, password, returnSecureToken: true }),
        },
      );
      const body = (await response.json()) as { idToken?: string; localId?: string };
      if (!body.idToken || !body.localId) throw new Error(`emulator sign-up failed: ${JSON.stringify(body)}`);
      return { idToken: body.idToken, uid: body.localId };
    },
    stop: () => emulator.stop(),
  };
}
