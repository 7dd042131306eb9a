/**
 * Provisioning without a signed-in admin, for a machine you control: opens the embedded store of a
 * data folder directly and creates a provisioning token through the domain verb as the system
 * (audited as `system:<name>`), valid for one day unless `validForS` says otherwise. `npm run demo` and the benchmarks use it to provision their
 * simulated fleets; on a real deployment an admin creates tokens in the console instead.
 *
 * Only the embedded default (SQLite in `CONTINUON_DATA_DIR`) is opened this way; SQLite lets the
 * running server and this process share the file.
 */
import { createProvisioningToken } from "@/lib/robots/create-provisioning-token";
import { createRuntime } from "@/server/runtime";

export interface BootstrapTokenOptions {
  dataDir: string;
  model?: string;
  manufacturer?: string;
  label?: string;
  maxUses?: number;
  /** Who the audit log names as the creator. */
  name?: string;
  /** How long the token registers robots, in seconds (one day by default). */
  validForS?: number;
}

export const BOOTSTRAP_TOKEN_VALID_FOR_S = 24 * 60 * 60;

export async function createBootstrapToken(options: BootstrapTokenOptions): Promise<string> {
  const runtime = await createRuntime({
    ...process.env,
    STORAGE_DRIVER: "sqlite",
    BLOB_DRIVER: "local",
    CONTINUON_DATA_DIR: options.dataDir,
    CONTINUON_WORKERS: "0",
    LOG_LEVEL: "silent",
  });
  try {
    const system = runtime.contextFor({ kind: "system", name: options.name ?? "bootstrap" });
    // One instant for the creation time and the expiry it is counted from.
    const createdAt = system.now();
    const ctx = { ...system, now: () => createdAt };
    const { token } = await createProvisioningToken(ctx, {
      model: options.model ?? "companion-v1",
      manufacturer: options.manufacturer ?? null,
      label: options.label ?? "Simulated fleet",
      max_uses: options.maxUses ?? null,
      expires_at: new Date(
        createdAt.getTime() + (options.validForS ?? BOOTSTRAP_TOKEN_VALID_FOR_S) * 1000,
      ).toISOString(),
    });
    return token;
  } finally {
    await runtime.close();
  }
}
