# otelcol-ts container image. Multi-stage: the build stage installs every dependency and compiles the TypeScript;
# the runtime stage carries production dependencies and the compiled output only, and runs as a non-root user.
#
#   docker build -t otelcol-ts .
#   docker run -p 4317:4317 -p 4318:4318 -p 8888:8888 -p 13133:13133 \
#     -e OTELCOL_UPSTREAM=backend:4317 otelcol-ts
#   docker run ... -v $PWD/my.yaml:/etc/otelcol-ts/config.yaml otelcol-ts     # your own config
#
# The default config is configs/gateway.yaml (OTLP on 0.0.0.0, health_check on 13133, metrics on 8888).
# file_storage (configs/durable.yaml) writes below /var/lib/otelcol-ts: mount a volume there.

# ---- build
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
# `npm ci` runs `prepare` (tsc), which needs the sources: install without scripts, copy, then compile.
RUN npm ci --ignore-scripts
COPY src ./src
COPY native-free ./native-free
COPY bin ./bin
COPY configs ./configs
RUN npx tsc -p tsconfig.json --outDir dist \
 && rm -rf dist/test dist/bench dist/loadtest

# ---- runtime
FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY configs ./configs
COPY configs/gateway.yaml /etc/otelcol-ts/config.yaml
RUN mkdir -p /var/lib/otelcol-ts/file_storage && chown -R node:node /var/lib/otelcol-ts
USER node
VOLUME ["/var/lib/otelcol-ts"]
# OTLP gRPC, OTLP HTTP, self-metrics (Prometheus), health_check
EXPOSE 4317 4318 8888 13133
# No curl in the slim image: ask health_check with node itself.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:13133/', r => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/otelcol-ts.js"]
CMD ["--config", "/etc/otelcol-ts/config.yaml"]
