// Firebase Hosting serves the static files itself (long cache headers, at the edge) and rewrites
// everything else to the Cloud Run service. This gathers what Hosting serves into dist/hosting:
// `public/` at the root and Next's hashed build assets under `_next/static/`.
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";

const out = "dist/hosting";
if (!existsSync(".next/static")) {
  console.error("No .next/static: run `npm run build` first.");
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/_next`, { recursive: true });
cpSync("public", out, { recursive: true });
cpSync(".next/static", `${out}/_next/static`, { recursive: true });
console.log(`prepared ${out}`);
