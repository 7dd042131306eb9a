# syntax=docker/dockerfile:1.7
# continuon.cloud for Cloud Run: one image serves the app, the robot API and the signaling relay
# (the custom server hosts both). `PORT` is honoured (Cloud Run sets it). Deploy: /docs/deploy.

# ── build: compile Next.js and the custom server ────────────────────────────────────────────
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts only compile native test and runtime modules; the build needs none of them
# (the deps stage compiles the runtime's).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN npm run build

# ── deps: production dependencies only (better-sqlite3 compiles here) ───────────────────────
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# ── run: non-root, the compiled custom server as entrypoint ─────────────────────────────────
FROM node:20-bookworm-slim AS run
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=8080 HOST=0.0.0.0 CONTINUON_DATA_DIR=/tmp/continuon
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
COPY --from=build /app/dist/server ./dist/server
COPY --from=build /app/public ./public
# The console offers each training job's notebook with its job id filled in.
COPY --from=build /app/notebooks ./notebooks
COPY package.json next.config.js ./
USER node
EXPOSE 8080
CMD ["node", "dist/server/index.js"]
