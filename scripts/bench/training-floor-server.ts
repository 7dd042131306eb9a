/**
 * The floor for `npm run bench:training`: a bare `node:http` server doing only what any training
 * call must — parse the JSON body, hash the bearer token (SHA-256) and look it up in SQLite, write
 * the call's rows (one row, or one per metric point, in one transaction) — with the same SQLite
 * settings as the product (WAL, synchronous FULL). No routing framework, no validation, no leases.
 * Env: PORT, DB (file), TOKEN (the one valid token).
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import Database from "better-sqlite3";

const db = new Database(process.env.DB as string);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec("CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, data TEXT NOT NULL)");
db.exec("CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, job TEXT NOT NULL, data TEXT NOT NULL)");
const hash = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");
db.prepare("INSERT OR REPLACE INTO tokens (hash, data) VALUES (?, ?)").run(hash(process.env.TOKEN as string), "{}");
const findToken = db.prepare("SELECT data FROM tokens WHERE hash = ?");
const put = db.prepare("INSERT OR REPLACE INTO rows (id, job, data) VALUES (?, ?, ?)");
const putMany = db.transaction((job: string, items: Array<{ id: string; data: string }>) => {
  for (const item of items) put.run(item.id, job, item.data);
});

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    if (!findToken.get(hash(token))) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":{"code":"unauthenticated"}}');
      return;
    }
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
    const job = (req.url ?? "/").split("/")[4] ?? "claim";
    const points = Array.isArray(body.points) ? (body.points as Array<{ step: number }>) : null;
    if (points)
      putMany(
        job,
        points.map((point) => ({ id: `${job}_${point.step}`, data: JSON.stringify(point) })),
      );
    else putMany(job, [{ id: `${job}_state`, data: JSON.stringify(body) }]);
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
}).listen(Number(process.env.PORT), "127.0.0.1", () => console.log("floor ready"));
