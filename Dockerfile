# paxflow worker image. Build: docker build -t paxflow:0.1.0 .
# Run:   docker run --rm paxflow:0.1.0 run --help
# The build stage installs with the same scripts/setup.sh that CI runs and builds with
# scripts/build.sh release; the runtime stage carries only build/paxflow and its shared libraries.

FROM debian:12 AS build
WORKDIR /src
# setup.sh first, alone: its layer (the Debian packages) is cached until the script changes.
COPY scripts/setup.sh scripts/setup.sh
RUN bash scripts/setup.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN bash scripts/build.sh release && build/paxflow version

FROM debian:12-slim AS runtime
# Runtime libraries of build/paxflow (the -dev packages of setup.sh without headers, tools, JDK):
# librdkafka (brings libssl3, libsasl2-2, libzstd1, liblz4-1), avro-c, RocksDB, ICU, libsodium,
# jansson, libmicrohttpd (metrics/health endpoints), libcurl; ca-certificates for TLS to Kafka.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      librdkafka1 libavro23 librocksdb7.8 libicu72 libsodium23 libjansson4 libmicrohttpd12 \
      libcurl4 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 paxflow \
 && useradd --system --uid 10001 --gid paxflow --home-dir /var/lib/paxflow --shell /usr/sbin/nologin paxflow \
 && install -d -o paxflow -g paxflow -m 0750 /var/lib/paxflow
COPY --from=build /src/build/paxflow /usr/local/bin/paxflow
USER 10001:10001
# The default state.dir (./paxflow-state) lands here; the Helm chart mounts a volume instead.
WORKDIR /var/lib/paxflow
# Metrics, /livez and /readyz (metrics.port).
EXPOSE 9464
ENTRYPOINT ["paxflow"]
CMD ["--help"]
