# syntax=docker/dockerfile:1
# Đồng Hành: one image for every process role (README, "Production: process roles").
# The role is chosen by the environment: ROLE=web | worker | scheduler (compose.yaml sets it).
#
#   docker build -t donghanh .
#   docker run --env-file .env -e ROLE=web -p 3000:3000 donghanh
#
# Operations (backups, key rotation, upgrades): docs/operations.md.

# ---- build: compile TypeScript to dist/ (with the dev dependencies: tsc) --------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# tsc -p tsconfig.build.json, then tools/copy-assets.mjs (locales, the web console's stylesheet,
# sample data) into dist/.
RUN npm run build

# ---- runtime: production dependencies and dist/ only, no tsx, not root ----------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Debian's chromium prints the steering committee's report to PDF (core/reports/pdf.ts runs
# `chromium --headless --print-to-pdf`; no npm package): the web role's "Print / PDF" link and
# `npm run admin -- steering-report --pdf`. DejaVu has every Vietnamese letter. This adds a few
# hundred MB to the image, for every role (one image).
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
ENV CHROMIUM_PATH=/usr/lib/chromium/chromium
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The image's files stay root-owned and read-only to the app; it writes nothing to disk but
# chromium's temporary folder under /tmp while printing a PDF, removed after each (production sets
# REPORTER_SEAL_KEY and MARKER_KEY, so no local key file is generated).
USER node
EXPOSE 3000
# /healthz answers while the process is up, in every role (slim has no curl: Node's fetch).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM goes straight to node (exec form, PID 1), which stops gracefully within
# SHUTDOWN_DEADLINE_SECONDS (default 25); give it longer than that before SIGKILL.
STOPSIGNAL SIGTERM
CMD ["node", "dist/app/main.js"]
