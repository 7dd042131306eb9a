/**
 * The floor of `npm run bench:ota`: a bare `node:http` server that does only what a signed
 * `GET /api/ota/check` must do cryptographically — the same RFC 9421 verification (same library
 * call, same Ed25519 check) on the same requests — then answers a fixed update offer of the same
 * size, with keys in memory and nothing read or stored. Started as its own process by the benchmark.
 *
 * Env: FLOOR_PORT, FLOOR_KEYS (JSON device_id → base64url raw public key), FLOOR_ANSWER (the JSON to send).
 */
import { createServer } from "node:http";
import type { KeyObject } from "node:crypto";
import { importPublicKeyRaw } from "@/lib/crypto/ed25519-keys";
import { verifyRequestSignature } from "@/lib/crypto/http-signatures";

const port = Number(process.env.FLOOR_PORT ?? 0);
const answer = process.env.FLOOR_ANSWER ?? '{"update":null}';
const keys = new Map<string, KeyObject>(
  Object.entries(JSON.parse(process.env.FLOOR_KEYS ?? "{}") as Record<string, string>).map(([id, key]) => [
    id,
    importPublicKeyRaw(key),
  ]),
);

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    verifyRequestSignature({
      method: req.method ?? "GET",
      url: `http://127.0.0.1:${port}${req.url ?? "/"}`,
      headers: req.headers,
      now: Math.floor(Date.now() / 1000),
      publicKeyFor: async (keyId) => keys.get(keyId) ?? null,
    }).then(
      () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(answer);
      },
      (error: unknown) => {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "unauthenticated", message: String((error as Error).message) } }));
      },
    );
  });
});
server.listen(port, "127.0.0.1", () => process.stdout.write("ready\n"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
