// Compile the custom server (server/index.ts and what it imports from lib/ and server/) into
// dist/server/index.js, and the SQLite writer thread's entry beside it (the store starts it from
// there). Packages stay external and load from node_modules; the `@/` alias is resolved from
// tsconfig.json.
import { build } from "esbuild";

await build({
  entryPoints: {
    index: "server/index.ts",
    "sqlite-writer-thread.worker": "server/adapters/sqlite/sqlite-writer-thread.worker.ts",
  },
  outdir: "dist/server",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  sourcemap: true,
  tsconfig: "tsconfig.json",
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
console.log("built dist/server/index.js and dist/server/sqlite-writer-thread.worker.js");
