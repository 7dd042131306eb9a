/**
 * The floor of `npm run bench:ota`'s delivery figure: a bare `node:http` file server answering
 * every GET (but `/ready`) with the whole of one file (`fs.createReadStream(file).pipe(res)` with its length) —
 * the least a server can do to send that file. Started as its own process by the benchmark.
 *
 * Env: FLOOR_PORT, FLOOR_FILE (the bundle's file in the server's blob folder).
 */
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";

const port = Number(process.env.FLOOR_PORT ?? 0);
const file = process.env.FLOOR_FILE ?? "";
const size = statSync(file).size;

const server = createServer((req, res) => {
  if (req.url === "/ready") return void res.end("ready");
  res.writeHead(200, { "content-type": "application/gzip", "content-length": String(size) });
  if (req.method === "HEAD") return void res.end();
  createReadStream(file).pipe(res);
});
server.listen(port, "127.0.0.1", () => process.stdout.write("ready\n"));
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
