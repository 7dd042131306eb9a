/**
 * Run the GCS test server on its own, for trying the cloud blob driver locally:
 *
 *   npx tsx tools/gcs-test-server/main.ts --port 4443 --bucket continuon-dev --key-file /tmp/gcs-test-sa.json
 *
 * It makes a throwaway service account, writes its key (0600) where `--key-file` says, and prints
 * the environment that points the app at it (BLOB_DRIVER=gcs, GCS_API_ENDPOINT, GCS_BUCKET,
 * GOOGLE_APPLICATION_CREDENTIALS). Objects live in memory until the process stops.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startGcsTestServer } from "./gcs-test-server";
import { createTestServiceAccount } from "./test-service-account";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4443" },
    host: { type: "string", default: "127.0.0.1" },
    bucket: { type: "string", multiple: true, default: ["continuon-dev"] },
    "key-file": { type: "string", default: "/tmp/gcs-test-service-account.json" },
  },
});

const account = createTestServiceAccount("gcs-test-server@demo-local.iam.gserviceaccount.com");
const keyFile = values["key-file"];
writeFileSync(
  keyFile,
  JSON.stringify({
    type: "service_account",
    project_id: "demo-local",
    client_email: account.client_email,
    private_key: account.private_key,
  }),
  { mode: 0o600 },
);
const server = await startGcsTestServer({
  buckets: values.bucket,
  serviceAccounts: [account],
  port: Number(values.port),
  host: values.host,
});
console.log(`GCS test server on ${server.url}, buckets: ${values.bucket.join(", ")}`);
console.log(
  `BLOB_DRIVER=gcs GCS_API_ENDPOINT=${server.url} GCS_BUCKET=${values.bucket[0]} GOOGLE_APPLICATION_CREDENTIALS=${keyFile}`,
);
const stop = () => void server.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
