/**
 * `npm run ota:rotate-key [-- --data-dir <dir>]`: rotate the embedded deployment's OTA signing key.
 * Restart the server afterwards. Older bundles keep verifying with the kept public key.
 */
import { rotateOtaSigningKey } from "@/server/secrets";

const index = process.argv.indexOf("--data-dir");
const dataDir = index >= 0 ? (process.argv[index + 1] ?? ".data") : (process.env.CONTINUON_DATA_DIR ?? ".data");
const { previousKeyId, keyId } = rotateOtaSigningKey(dataDir);
console.log(
  `OTA signing key rotated in ${dataDir}/secrets.json: new key ${keyId}; ${previousKeyId} kept for verification.`,
);
console.log("Restart the server to sign new bundles with the new key.");
