import { createHash } from "node:crypto";
import { resolve } from "node:path";

/** True when an environment points the app at the cloud backends (Firestore or GCS). */
export function isCloudMode(env: Record<string, string | undefined>): boolean {
  return env.STORAGE_DRIVER === "firestore" || env.BLOB_DRIVER === "gcs";
}

/**
 * Where one test deployment keeps its data in cloud mode: a Firestore database and a GCS bucket
 * named after its data folder. On the embedded default the data folder is the deployment (SQLite
 * file, blob folder); in cloud mode this keeps that meaning: a fresh folder is a fresh, empty
 * deployment, and a server restarted on the same folder sees the same data. The Firestore emulator
 * keeps databases apart (`projects/{p}/databases/{d}`) and the GCS test server creates buckets on
 * demand, so nothing needs setting up. The project id stays the same for every deployment, since
 * Firebase Auth ID tokens are issued for one project.
 */
export function cloudDeploymentFor(dataDir: string): { FIRESTORE_DATABASE_ID: string; GCS_BUCKET: string } {
  const key = createHash("sha256").update(resolve(dataDir)).digest("hex").slice(0, 12);
  return { FIRESTORE_DATABASE_ID: `e2e-${key}`, GCS_BUCKET: `continuon-e2e-${key}` };
}
