# syntax=docker/dockerfile:1
# Tessera container image.
#   docker build -t tessera .
#   docker run --rm -p 127.0.0.1:8080:8080 tessera            # SQLite under /var/lib/tessera
# docker-compose.yml runs it with PostgreSQL. The first build takes a while (a cold release
# build of the dependency graph is about 11 minutes on 2 cores); later builds reuse a cache.

ARG SWIFT_IMAGE=swift:6.3-bookworm

# ---------------------------------------------------------------- build
FROM ${SWIFT_IMAGE} AS build
WORKDIR /build
COPY . .
# .build is a BuildKit cache mount, so it is not part of any layer: copy the results out of it.
# --static-swift-stdlib links the Swift runtime and Foundation into the binary.
RUN --mount=type=cache,target=/build/.build \
    swift build -c release --product tessera --static-swift-stdlib \
 && bin="$(swift build -c release --show-bin-path)" \
 && mkdir -p /staging \
 && cp "$bin/tessera" /staging/ \
 && find "$bin/" -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \; \
 && strip /staging/tessera \
 && ldd /staging/tessera

# ---------------------------------------------------------------- runtime
FROM debian:bookworm-slim

# libcurl4 and libxml2: FoundationNetworking / FoundationXML; tzdata: time zones;
# ca-certificates: outgoing TLS; curl: the health check.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates curl libcurl4 libxml2 tzdata \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --user-group --home-dir /var/lib/tessera --shell /usr/sbin/nologin tessera \
 && mkdir -p /var/lib/tessera \
 && chown tessera:tessera /var/lib/tessera

# The binary and any resource bundles beside it (Bundle.module looks next to the executable).
COPY --from=build /staging/ /usr/local/bin/

USER tessera
WORKDIR /var/lib/tessera
ENV TESSERA_HOST=0.0.0.0 \
    TESSERA_PORT=8080
EXPOSE 8080

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${TESSERA_PORT:-8080}/readyz" >/dev/null || exit 1

ENTRYPOINT ["tessera"]
CMD ["serve"]
