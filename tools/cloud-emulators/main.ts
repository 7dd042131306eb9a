/**
 * Run the cloud backends offline, to try cloud mode by hand:
 *
 *   npx tsx tools/cloud-emulators/main.ts [--auth firebase|local] [--write-env /tmp/cloud-env.sh]
 *
 * Starts the Firestore emulator, the GCS test server and (with `--auth firebase`, the default) the
 * Firebase Auth emulator on free ports between 4100 and 4199, prints the environment that points
 * the app at them as `export` lines (also written to `--write-env`), and keeps them up until
 * Ctrl-C. Data lives in memory until then.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startCloudEmulators } from "./start-cloud-emulators";

const { values } = parseArgs({
  options: {
    auth: { type: "string", default: "firebase" },
    project: { type: "string", default: "demo-continuon-cloud" },
    "write-env": { type: "string" },
  },
});
if (values.auth !== "firebase" && values.auth !== "local") throw new Error("--auth must be firebase or local");

const emulators = await startCloudEmulators({ authDriver: values.auth, projectId: values.project });
const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
const lines = Object.entries(emulators.env).map(([key, value]) => `export ${key}=${quote(value)}`);
if (values["write-env"]) writeFileSync(values["write-env"], `${lines.join("\n")}\n`, { mode: 0o600 });
console.log(lines.join("\n"));
console.log(
  `\n# Firestore ${emulators.env.FIRESTORE_EMULATOR_HOST} · GCS ${emulators.gcs.url}` +
    (emulators.auth ? ` · Auth ${emulators.auth.host}` : "") +
    "\n# Then: npm run build && npm start (in a shell with the lines above). Ctrl-C stops the emulators.",
);
const stop = () => void emulators.stop().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
