# syntax=docker/dockerfile:1
# One image for the web app and the worker; docker-compose.yml picks the command.
# Three stages: production dependencies only, a build with every dependency, and the runtime image
# that takes the first one's node_modules and the second one's .next, and runs as `node`.

ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies (postinstall generates the Prisma client into lib/catalog/generated).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# The web build needs the dev dependencies (Tailwind, PostCSS); none of them reach the runtime image.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx next build && rm -rf .next/cache

FROM ${NODE_IMAGE}
WORKDIR /app
# MALLOC_ARENA_MAX: see workers/runtime/process-env.ts (the worker's RSS crept up load after load without it).
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PGFERRY_DATA_DIR=/data PORT=3000 MALLOC_ARENA_MAX=2
COPY package.json package-lock.json prisma.config.ts tsconfig.json next.config.ts postcss.config.mjs proxy.ts ./
COPY prisma ./prisma
COPY app ./app
COPY components ./components
COPY lib ./lib
COPY workers ./workers
COPY scripts ./scripts
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/lib/catalog/generated ./lib/catalog/generated
COPY --from=build /app/.next ./.next
# The launcher rebuilds when the stamp does not match its sources: stamp what is in this image, so it never does.
RUN node --import tsx -e "import('./scripts/build-stamp.ts').then(async (m) => require('node:fs').writeFileSync('.next/pgferry-build-stamp', await m.buildInputsHash(process.cwd())))" \
 && mkdir -p /data && chown -R node:node /data /app/.next
USER node
VOLUME /data
EXPOSE 3000
# The slim image has no curl; Node's fetch asks the unauthenticated health endpoint.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node directly, not npm, so SIGTERM reaches the launcher (compose adds an init process with `init: true`).
CMD ["node", "--import", "tsx", "scripts/start.ts"]
