import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FirestoreServer } from "@firestore-emulator/server";
import { createTestServiceAccount, startGcsTestServer, type GcsTestServer } from "../gcs-test-server";
import { startFirebaseAuthEmulator, type FirebaseAuthEmulator } from "./firebase-auth-emulator";
import { PortPicker } from "./free-port";

export interface CloudEmulatorsOptions {
  /** A `demo-*` project id (Firestore namespace, Auth project, service account's project). */
  projectId?: string;
  /** `firebase` (default): sign-in through the Auth emulator; `local`: accounts in the store. */
  authDriver?: "firebase" | "local";
  /** The bucket of the default deployment (tests name their own; see `cloudDeploymentFor`). */
  bucket?: string;
  /** Ports are taken from this range (default 4100–4199 without 4150, the shared test server's). */
  ports?: { from: number; to: number; exclude?: number[] };
  /** Where the service-account key and the Auth emulator's config go (default: a fresh /tmp/cloud-emulators-*). */
  workDir?: string;
}

export interface CloudEmulators {
  /** The environment that points the app at the emulators (add it to the app's own). */
  env: Record<string, string>;
  firestore: FirestoreServer;
  gcs: GcsTestServer;
  auth: FirebaseAuthEmulator | null;
  workDir: string;
  stop(): Promise<void>;
}

/**
 * The cloud backends, offline: the Firestore emulator (`@firestore-emulator/server`, patched to
 * Firestore's semantics, in this process), the repo's GCS test server (in this process; it verifies
 * V4 signed URLs against a throwaway service account whose key file serves as Application Default
 * Credentials) and, unless `authDriver` is `local`, the Firebase Auth emulator (firebase-tools, a
 * child process). Buckets are created on first use, so every test deployment can take its own.
 */
export async function startCloudEmulators(options: CloudEmulatorsOptions = {}): Promise<CloudEmulators> {
  const projectId = options.projectId ?? "demo-continuon-cloud";
  const authDriver = options.authDriver ?? "firebase";
  const ports = new PortPicker(
    options.ports?.from ?? 4100,
    options.ports?.to ?? 4199,
    options.ports?.exclude ?? [4150],
  );
  const workDir = options.workDir ?? mkdtempSync("/tmp/cloud-emulators-");
  mkdirSync(workDir, { recursive: true });
  const stops: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn();
    rmSync(workDir, { recursive: true, force: true });
  };

  try {
    const firestore = new FirestoreServer();
    const firestorePort = await ports.next("0.0.0.0");
    await firestore.start(firestorePort);
    stops.push(() => firestore.stop());

    const account = createTestServiceAccount(`continuon-e2e@${projectId}.iam.gserviceaccount.com`);
    const keyFile = join(workDir, "service-account.json");
    writeFileSync(
      keyFile,
      JSON.stringify({
        type: "service_account",
        project_id: projectId,
        client_email: account.client_email,
        private_key: account.private_key,
      }),
      { mode: 0o600 },
    );
    const gcs = await startGcsTestServer({
      buckets: [],
      createBucketsOnDemand: true,
      // The deploy guide's cors.json (the replay page fetches frames through signed URLs), for any
      // origin, since test servers listen on many ports.
      cors: [
        {
          origin: ["*"],
          method: ["GET", "HEAD"],
          responseHeader: ["Content-Type", "Content-Range", "ETag"],
          maxAgeSeconds: 3600,
        },
      ],
      serviceAccounts: [account],
      port: await ports.next(),
    });
    stops.push(() => gcs.close());

    let auth: FirebaseAuthEmulator | null = null;
    if (authDriver === "firebase") {
      const authDir = join(workDir, "auth");
      mkdirSync(authDir);
      auth = await startFirebaseAuthEmulator({
        projectId,
        dir: authDir,
        ports: { auth: await ports.next(), hub: await ports.next(), logging: await ports.next() },
      });
      stops.push(() => auth?.stop());
    }

    const otaKey = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const env: Record<string, string> = {
      STORAGE_DRIVER: "firestore",
      BLOB_DRIVER: "gcs",
      AUTH_DRIVER: authDriver,
      GOOGLE_CLOUD_PROJECT: projectId,
      FIRESTORE_EMULATOR_HOST: `127.0.0.1:${firestorePort}`,
      GCS_API_ENDPOINT: gcs.url,
      GCS_BUCKET: options.bucket ?? "continuon-dev",
      GOOGLE_APPLICATION_CREDENTIALS: keyFile,
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      OTA_SIGNING_KEY: otaKey,
      METADATA_SERVER_DETECTION: "none",
      ...(auth ? { FIREBASE_AUTH_EMULATOR_HOST: auth.host, FIREBASE_API_KEY: "demo-api-key" } : {}),
    };
    return { env, firestore, gcs, auth, workDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
