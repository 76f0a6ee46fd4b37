# The user image (docs/deployment.md). Build from the repository root:
#   docker build -f deploy/docker/user.Dockerfile -t hatongsu/user:0.1.0 .
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
 && cmake --build --preset release --target hatongsu-user \
 && mkdir -p /out \
 && objcopy --strip-debug build/release/services/user/hatongsu-user /out/hatongsu-user \
 && deploy/docker/runtime-packages.sh /out/hatongsu-user > /out/packages

FROM debian:12-slim
COPY --from=build /out/packages /tmp/packages
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates $(cat /tmp/packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/packages \
 && groupadd --system --gid 10001 hatongsu \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin hatongsu
COPY --from=build /out/hatongsu-user /usr/bin/hatongsu-user
# Listen beyond loopback inside the container; every other setting comes from the environment.
ENV USER_GRPC_ADDR=0.0.0.0:4001
EXPOSE 4001 9101
USER 10001:10001
# Health: a TCP connection to the gRPC port (the pod's probe asks grpc.health.v1; the image has no
# gRPC client).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${USER_GRPC_ADDR##*:}"]
ENTRYPOINT ["/usr/bin/hatongsu-user"]
