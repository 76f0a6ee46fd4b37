# The gateway image (docs/deployment.md). Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t hatongsu/gateway:0.1.0 .
# Stage 1 builds on Debian 12 with the packages scripts/setup installs (the same toolchain as a
# developer machine and CI); the last stage is debian:12-slim with only the Debian packages that
# own the libraries the binary loads (deploy/docker/runtime-packages.sh), run as a user with no
# privileges.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/setup scripts/setup
RUN scripts/setup
COPY . .
RUN cmake --preset release >/dev/null \
 && cmake --build --preset release --target hatongsu-gateway \
 && mkdir -p /out \
 && objcopy --strip-debug build/release/services/gateway/hatongsu-gateway /out/hatongsu-gateway \
 && deploy/docker/runtime-packages.sh /out/hatongsu-gateway > /out/packages

# The web client, served by the gateway. Vite 8 needs Node.js 20.19 or newer and Debian 12 ships
# 18, so this stage takes nodejs from NodeSource's Debian repository, as the development machines
# do (scripts/web.sh says so); then `npm ci` from web/package-lock.json and the build.
FROM debian:12 AS web
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
 && curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key \
    | gpg --dearmor -o /usr/share/keyrings/nodesource.gpg \
 && printf 'Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\nComponents: main\nSigned-By: /usr/share/keyrings/nodesource.gpg\n' \
    > /etc/apt/sources.list.d/nodesource.sources \
 && apt-get update \
 && apt-get install -y --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY web web
COPY scripts/web.sh scripts/web.sh
RUN scripts/web.sh build

FROM debian:12-slim
COPY --from=build /out/packages /tmp/packages
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates $(cat /tmp/packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/packages \
 && groupadd --system --gid 10001 hatongsu \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin hatongsu \
 && install -d -o 10001 -g 10001 /var/lib/hatongsu/objects
COPY --from=build /out/hatongsu-gateway /usr/bin/hatongsu-gateway
COPY --from=web /src/web/dist /usr/share/hatongsu/web
# Listen beyond loopback inside the container; every other setting comes from the environment.
# With the disk store (STORAGE_BACKEND=disk), objects go to a volume mounted at STORAGE_DIR,
# shared by the gateway and the album service.
ENV STORAGE_DIR=/var/lib/hatongsu/objects \
    GATEWAY_HTTP_ADDR=0.0.0.0 \
    GATEWAY_HTTP_PORT=4000 \
    GATEWAY_WEB_DIR=/usr/share/hatongsu/web
EXPOSE 4000 9100
USER 10001:10001
# Health: HTTP GET /livez on GATEWAY_HTTP_PORT (plain HTTP: with GATEWAY_TLS_* set, check from
# outside instead).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${GATEWAY_HTTP_PORT:-4000} && printf 'GET /livez HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q \" 200 \""]
ENTRYPOINT ["/usr/bin/hatongsu-gateway"]
