# Grant Lab and its sample clients. Two images from one file:
#   docker build -t grant-lab .                    the server (the last stage, the default)
#   docker build --target samples -t grant-lab-samples .   the sample clients (clients/)
# docker-compose.yml builds both; the README's "Run everything with Docker" explains the setup.

# Node 24 slim: Grant Lab needs Node >= 24.7 (argon2id in node:crypto) and runs TypeScript
# directly, so there is no build step, only the locked runtime dependencies.
FROM node:24-slim AS base
ENV NODE_ENV=production
WORKDIR /app

FROM base AS dependencies
COPY package.json package-lock.json ./
# Runtime dependencies only, exactly as locked; none of them needs an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# The sample clients: each service in docker-compose.yml runs one with its own command.
FROM base AS samples
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
# The samples read the flow catalog (the scope each flow asks for) from the server's source,
# and device-app draws its QR code with the server's encoder.
COPY src/flows ./src/flows
COPY src/qr ./src/qr
COPY clients ./clients
USER node
CMD ["node", "clients/m2m-cron/job.ts"]

# The server.
FROM base AS server
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
# The command, which starts src/server.ts with Node's compile cache on.
COPY bin ./bin
COPY src ./src
COPY views ./views
COPY public ./public
# The default configuration (the demo setup) and the schema every configuration is checked against.
COPY config ./config
COPY schema ./schema
# The proxy in front of several instances (docker-compose.yml's cluster profile).
COPY scripts/balancer.ts ./scripts/balancer.ts
# Listen on every interface of the container (a published port arrives on its network
# interface, not on its loopback); keys, cookie secrets and the SQLite state persist in the
# /data volume (GRANT_LAB_STORAGE=redis://… shares them between instances instead).
ENV HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
RUN mkdir /data && chown node:node /data
VOLUME /data
# The unprivileged user the official image provides: the server needs no root.
USER node
EXPOSE 3000
# Healthy once discovery answers: the server has its keys and the engine is mounted.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/.well-known/openid-configuration`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/grant-lab.js"]
