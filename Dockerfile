# Mini-OpenClaw as one container: a Bun stage compiles the single executable, a slim Debian stage runs it.
#   docker build -t mini-openclaw .
#   docker run -p 8002:8002 -v moc-data:/data -e APP_API_TOKEN=change-me mini-openclaw

ARG BUN_VERSION=1.4.4
# The base images, as build arguments so a test can build from local stand-ins (it cannot pull);
# the defaults are the images this file is written for.
ARG BUILD_IMAGE=oven/bun:${BUN_VERSION}
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# Dependencies first, so source edits reuse this layer. bun reads package-lock.json; --frozen-lockfile
# fails the build instead of resolving anything the lockfile does not pin. Building needs no
# devDependencies (the image's own bun compiles), and no package needs an install script.
COPY package.json package-lock.json ./
RUN bun install --frozen-lockfile --production --ignore-scripts
COPY tsconfig.json bunfig.toml ./
# The recorded order the build lays the binary's bytecode out by (`--bytecode-order`, see the build script).
COPY scripts/mini-openclaw.order ./scripts/
COPY assets ./assets
COPY src ./src
# The same command as `npm run build` (package.json), so the image holds the binary the tests exercise.
RUN bun run build && ./dist/mini-openclaw --version

FROM ${RUNTIME_IMAGE} AS runtime
# bubblewrap: the terminal tool's sandbox, with util-linux's prlimit and setpriv (Essential in Debian, named
# so it cannot go missing); ca-certificates: HTTPS to model providers; curl: the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap util-linux ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 openclaw \
 && useradd --system --uid 10001 --gid openclaw --home-dir /data --shell /usr/sbin/nologin openclaw \
 && mkdir -p /data \
 && chown openclaw:openclaw /data
COPY --from=build /src/dist/mini-openclaw /usr/local/bin/mini-openclaw

ENV APP_DATA_DIR=/data APP_HOST=0.0.0.0 APP_PORT=8002
VOLUME /data
# The working folder is where .env is read and where the tracing switch persists it.
WORKDIR /data
USER openclaw:openclaw
EXPOSE 8002
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${APP_PORT:-8002}/api/health" || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/mini-openclaw"]
CMD ["serve"]
