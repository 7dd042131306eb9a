import { z } from "zod";

/**
 * The one place configuration is read. `loadConfig(process.env)` is called once by the
 * composition root; everything else receives the parsed result. Unknown drivers and missing cloud
 * settings fail here, at start-up, naming the variable.
 */

const port = z.coerce.number().int().min(0).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()));

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: port.default(3000),
  HOST: z.string().default("0.0.0.0"),
  PUBLIC_URL: optionalString,
  RELAY_PUBLIC_URL: optionalString,
  CONTINUON_DATA_DIR: z.string().default(".data"),
  STORAGE_DRIVER: z
    .enum(["sqlite", "firestore"], { error: () => "STORAGE_DRIVER must be one of: sqlite, firestore" })
    .default("sqlite"),
  BLOB_DRIVER: z.enum(["local", "gcs"], { error: () => "BLOB_DRIVER must be one of: local, gcs" }).default("local"),
  AUTH_DRIVER: z.enum(["local", "firebase"], { error: () => "AUTH_DRIVER must be one of: local, firebase" }).optional(),
  SQLITE_SYNCHRONOUS: z
    .enum(["FULL", "NORMAL"], { error: () => "SQLITE_SYNCHRONOUS must be one of: FULL, NORMAL" })
    .default("FULL"),
  SQLITE_WRITER_THREAD: z
    .enum(["on", "off"], { error: () => "SQLITE_WRITER_THREAD must be one of: on, off" })
    .default("on"),
  GOOGLE_CLOUD_PROJECT: optionalString,
  FIRESTORE_DATABASE_ID: optionalString,
  FIRESTORE_EMULATOR_HOST: optionalString,
  GCS_BUCKET: optionalString,
  GCS_API_ENDPOINT: optionalString,
  GCS_SIGNING_EMAIL: optionalString,
  FIREBASE_API_KEY: optionalString,
  FIREBASE_AUTH_DOMAIN: optionalString,
  FIREBASE_AUTH_EMULATOR_HOST: optionalString,
  NEXTAUTH_SECRET: optionalString,
  BLOB_SIGNING_SECRET: optionalString,
  OTA_SIGNING_KEY: optionalString,
  OTA_SIGNING_KEY_ID: optionalString,
  METRICS_TOKEN: optionalString,
  TRAINING_NOTEBOOK_BASE_URL: optionalString,
  TURN_URLS: optionalString,
  TURN_SECRET: optionalString,
  HEARTBEAT_INTERVAL_S: z.coerce.number().int().min(5).max(3600).default(60),
  ROBOT_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).default(600),
  USER_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).default(6000),
  SIGNUP_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(20),
  SIGNIN_RATE_LIMIT_PER_15MIN: z.coerce.number().int().min(1).default(100),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  CONTINUON_STRICT_INDEXES: z
    .enum(["0", "1"])
    .optional()
    .transform((value) => value === "1"),
  TRUST_PROXY: z
    .enum(["0", "1"])
    .default("0")
    .transform((value) => value === "1"),
  CONTINUON_WORKERS: z
    .enum(["0", "1"])
    .default("1")
    .transform((value) => value === "1"),
  CONTINUON_FAULT_POINT: z
    .string()
    .regex(/^[a-z][a-z0-9_.]*(:exit|:pause)?$/, "CONTINUON_FAULT_POINT must look like ingest.after_copy[:exit|:pause]")
    .optional(),
  CONTINUON_INGEST_LEASE_S: z.coerce.number().int().min(2).max(3600).default(60),
  CONTINUON_INGEST_SETTLE_S: z.coerce.number().int().min(0).max(3600).default(120),
  // Background work (bundle builds, conversions): lease renewed every third while the worker lives.
  CONTINUON_WORK_LEASE_S: z.coerce.number().int().min(2).max(600).default(30),
  // Episode uploads (/docs/ingestion): the largest one episode may be, and what one robot may keep.
  EPISODE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 ** 3)
    .default(4 * 1024 ** 3),
  ROBOT_STORAGE_QUOTA_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(100 * 1024 ** 3),
});

export type StorageDriver = "sqlite" | "firestore";
export type BlobDriver = "local" | "gcs";
export type AuthDriver = "local" | "firebase";

export interface AppConfig {
  nodeEnv: "development" | "production" | "test";
  port: number;
  host: string;
  /** Where users and robots reach this deployment (signed URLs, relay URL, auth callbacks). */
  publicUrl: string;
  /**
   * Where robots and clients open relay WebSockets (default: PUBLIC_URL). In Google Cloud this is
   * the Cloud Run domain (`https://api.continuon.cloud`): Firebase Hosting does not carry WebSockets.
   */
  relayPublicUrl: string;
  dataDir: string;
  storageDriver: StorageDriver;
  blobDriver: BlobDriver;
  authDriver: AuthDriver;
  sqliteSynchronous: "FULL" | "NORMAL";
  /** Commit the embedded store's batches on a writer thread (see sqlite-writer-thread.ts). */
  sqliteWriterThread: boolean;
  firestore?: { projectId: string; databaseId?: string; emulatorHost?: string };
  gcs?: { bucket: string; apiEndpoint?: string; signingEmail?: string };
  firebaseAuth?: { projectId: string; apiKey: string; authDomain?: string; emulatorHost?: string };
  secrets: { nextAuthSecret?: string; blobSigningSecret?: string; otaSigningKey?: string; otaSigningKeyId?: string };
  metricsToken?: string;
  /** Where the training notebooks are opened from (`colab_notebook_url` = base + `/01_seed_model_training.ipynb#job_id=…`). */
  trainingNotebookBaseUrl: string;
  turn?: { urls: string[]; secret: string };
  heartbeatIntervalS: number;
  /** Requests a minute per robot and per signed-in user on the API, across all instances. */
  /**
   * Requests a minute per robot and per signed-in user; local account sign-ups an hour and sign-in
   * attempts per 15 minutes from one address.
   */
  rateLimits: { robotPerMinute: number; userPerMinute: number; signupsPerHour: number; signinsPer15Min: number };
  logLevel: string;
  /** Take the client address from the last X-Forwarded-For hop (behind Google's front end). */
  trustProxy: boolean;
  /** Refuse queries without a declared index (tests turn this on). */
  strictIndexes: boolean;
  /** Run background workers (TFRecord conversion, sweeps) in this process. */
  workers: boolean;
  /**
   * Test-only crash injection (`CONTINUON_FAULT_POINT=ingest.after_copy[:exit|:pause]`): the named
   * point exits the process at once (SIGKILL, no cleanup) or pauses forever. Unset: never active.
   */
  faultPoint?: { name: string; action: "exit" | "pause" };
  /** How long an episode ingest holds its lease without renewing it (a crashed ingest is taken over after this). */
  ingestLeaseS: number;
  /** Quiet time after the last PUT of an automatically ingested upload (Flutter flow) before it is ingested. */
  ingestSettleS: number;
  /**
   * Lease of a background work item (`CONTINUON_WORK_LEASE_S`, default 30): its worker renews it
   * every third of it, so the item of a dead worker is taken over once this has passed.
   */
  workLeaseS: number;
  /** The largest upload one episode may be (an upload URL takes no more; 413 `episode_too_large`). */
  episodeMaxBytes: number;
  /** Bytes of episodes one robot may keep, pending uploads counted at their maximum (507 `storage_quota_exceeded`). */
  robotStorageQuotaBytes: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function need(value: string | undefined, variable: string, why: string): string {
  if (!value) throw new ConfigError(`${variable} is required ${why}.`);
  return value;
}

export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".") || "env"}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const authDriver: AuthDriver = e.AUTH_DRIVER ?? "local";
  const config: AppConfig = {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    relayPublicUrl: (e.RELAY_PUBLIC_URL ?? e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    dataDir: e.CONTINUON_DATA_DIR,
    storageDriver: e.STORAGE_DRIVER,
    blobDriver: e.BLOB_DRIVER,
    authDriver,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    sqliteWriterThread: e.SQLITE_WRITER_THREAD === "on",
    secrets: {
      nextAuthSecret: e.NEXTAUTH_SECRET,
      blobSigningSecret: e.BLOB_SIGNING_SECRET,
      otaSigningKey: e.OTA_SIGNING_KEY,
      otaSigningKeyId: e.OTA_SIGNING_KEY_ID,
    },
    metricsToken: e.METRICS_TOKEN,
    trainingNotebookBaseUrl: (
      e.TRAINING_NOTEBOOK_BASE_URL ??
      "https://colab.research.google.com/github/continuonai/continuon-cloud/blob/main/notebooks"
    ).replace(/\/$/, ""),
    heartbeatIntervalS: e.HEARTBEAT_INTERVAL_S,
    rateLimits: {
      robotPerMinute: e.ROBOT_RATE_LIMIT_PER_MIN,
      userPerMinute: e.USER_RATE_LIMIT_PER_MIN,
      signupsPerHour: e.SIGNUP_RATE_LIMIT_PER_HOUR,
      signinsPer15Min: e.SIGNIN_RATE_LIMIT_PER_15MIN,
    },
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    strictIndexes: e.CONTINUON_STRICT_INDEXES,
    workers: e.CONTINUON_WORKERS,
    ingestLeaseS: e.CONTINUON_INGEST_LEASE_S,
    workLeaseS: e.CONTINUON_WORK_LEASE_S,
    ingestSettleS: e.CONTINUON_INGEST_SETTLE_S,
    episodeMaxBytes: e.EPISODE_MAX_BYTES,
    robotStorageQuotaBytes: e.ROBOT_STORAGE_QUOTA_BYTES,
  };
  if (e.CONTINUON_FAULT_POINT) {
    const [name = "", action] = e.CONTINUON_FAULT_POINT.split(":");
    config.faultPoint = { name, action: action === "pause" ? "pause" : "exit" };
  }
  if (e.STORAGE_DRIVER === "firestore") {
    config.firestore = {
      projectId: need(e.GOOGLE_CLOUD_PROJECT, "GOOGLE_CLOUD_PROJECT", "when STORAGE_DRIVER=firestore"),
      databaseId: e.FIRESTORE_DATABASE_ID,
      emulatorHost: e.FIRESTORE_EMULATOR_HOST,
    };
  }
  if (e.BLOB_DRIVER === "gcs") {
    config.gcs = {
      bucket: need(e.GCS_BUCKET, "GCS_BUCKET", "when BLOB_DRIVER=gcs"),
      apiEndpoint: e.GCS_API_ENDPOINT,
      signingEmail: e.GCS_SIGNING_EMAIL,
    };
  }
  if (authDriver === "firebase") {
    config.firebaseAuth = {
      projectId: need(e.GOOGLE_CLOUD_PROJECT, "GOOGLE_CLOUD_PROJECT", "when AUTH_DRIVER=firebase"),
      apiKey: need(e.FIREBASE_API_KEY, "FIREBASE_API_KEY", "when AUTH_DRIVER=firebase"),
      authDomain: e.FIREBASE_AUTH_DOMAIN,
      emulatorHost: e.FIREBASE_AUTH_EMULATOR_HOST,
    };
  }
  const cloud = e.STORAGE_DRIVER === "firestore" || e.BLOB_DRIVER === "gcs";
  if (cloud) {
    // In the cloud nothing is generated on a container's disk: secrets come from Secret Manager.
    need(e.NEXTAUTH_SECRET, "NEXTAUTH_SECRET", "in cloud mode (STORAGE_DRIVER=firestore or BLOB_DRIVER=gcs)");
    need(e.OTA_SIGNING_KEY, "OTA_SIGNING_KEY", "in cloud mode (STORAGE_DRIVER=firestore or BLOB_DRIVER=gcs)");
    if (e.BLOB_DRIVER === "local")
      need(e.BLOB_SIGNING_SECRET, "BLOB_SIGNING_SECRET", "when BLOB_DRIVER=local in cloud mode");
  }
  if (e.TURN_URLS) {
    config.turn = {
      urls: e.TURN_URLS.split(",")
        .map((url) => url.trim())
        .filter(Boolean),
      secret: need(e.TURN_SECRET, "TURN_SECRET", "when TURN_URLS is set"),
    };
  }
  return config;
}
