# The world image (docs/deployment.md). Build from the repository root:
#   docker build -f deploy/docker/world.Dockerfile -t hatongsu/world:0.1.0 .
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
 && cmake --build --preset release --target hatongsu-world \
 && mkdir -p /out \
 && objcopy --strip-debug build/release/services/world/hatongsu-world /out/hatongsu-world \
 && deploy/docker/runtime-packages.sh /out/hatongsu-world > /out/packages

FROM debian:12-slim
COPY --from=build /out/packages /tmp/packages
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates $(cat /tmp/packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/packages \
 && groupadd --system --gid 10001 hatongsu \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin hatongsu
COPY --from=build /out/hatongsu-world /usr/bin/hatongsu-world
# Listen beyond loopback inside the container; every other setting comes from the environment.
ENV WORLD_HTTP_ADDR=0.0.0.0 \
    WORLD_PORT=4100 \
    WORLD_UDP_ADDR=0.0.0.0 \
    WORLD_UDP_PORT=50000
EXPOSE 4100 9104 50000/udp
USER 10001:10001
# Health: HTTP GET /health on WORLD_PORT (plain HTTP: with WORLD_TLS_* set, check from outside
# instead).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${WORLD_PORT:-4100} && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q \" 200 \""]
ENTRYPOINT ["/usr/bin/hatongsu-world"]
