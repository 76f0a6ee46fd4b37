# The album image (docs/deployment.md). Build from the repository root:
#   docker build -f deploy/docker/album.Dockerfile -t hatongsu/album:0.1.0 .
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
 && cmake --build --preset release --target hatongsu-album \
 && mkdir -p /out \
 && objcopy --strip-debug build/release/services/album/hatongsu-album /out/hatongsu-album \
 && deploy/docker/runtime-packages.sh /out/hatongsu-album > /out/packages

FROM debian:12-slim
COPY --from=build /out/packages /tmp/packages
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates $(cat /tmp/packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/packages \
 && groupadd --system --gid 10001 hatongsu \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin hatongsu \
 && install -d -o 10001 -g 10001 /var/lib/hatongsu/objects
COPY --from=build /out/hatongsu-album /usr/bin/hatongsu-album
# Listen beyond loopback inside the container; every other setting comes from the environment.
# With the disk store (STORAGE_BACKEND=disk), objects go to a volume mounted at STORAGE_DIR,
# shared by the gateway and the album service.
ENV STORAGE_DIR=/var/lib/hatongsu/objects \
    ALBUM_GRPC_ADDR=0.0.0.0:4002
EXPOSE 4002 9102
USER 10001:10001
# Health: a TCP connection to the gRPC port (the pod's probe asks grpc.health.v1; the image has no
# gRPC client).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${ALBUM_GRPC_ADDR##*:}"]
ENTRYPOINT ["/usr/bin/hatongsu-album"]
