# The event image (docs/deployment.md). Build from the repository root:
#   docker build -f deploy/docker/event.Dockerfile -t hatongsu/event:0.1.0 .
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
 && cmake --build --preset release --target hatongsu-event \
 && mkdir -p /out \
 && objcopy --strip-debug build/release/services/event/hatongsu-event /out/hatongsu-event \
 && deploy/docker/runtime-packages.sh /out/hatongsu-event > /out/packages

FROM debian:12-slim
COPY --from=build /out/packages /tmp/packages
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates $(cat /tmp/packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/packages \
 && groupadd --system --gid 10001 hatongsu \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin hatongsu
COPY --from=build /out/hatongsu-event /usr/bin/hatongsu-event
# Listen beyond loopback inside the container; every other setting comes from the environment.
ENV EVENT_HTTP_ADDR=0.0.0.0 \
    EVENT_HTTP_PORT=2567
EXPOSE 2567 9103
USER 10001:10001
# Health: HTTP GET /health on EVENT_HTTP_PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${EVENT_HTTP_PORT:-2567} && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q \" 200 \""]
ENTRYPOINT ["/usr/bin/hatongsu-event"]
