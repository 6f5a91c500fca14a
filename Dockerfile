# One image for every role: `wirewatch run | poll | worker | sink | setup` (docs/deploy.md).
#
#   docker build -t wirewatch .          (or: podman build --format docker -t wirewatch .)
#   docker run --rm -v wirewatch-data:/var/lib/wirewatch/data wirewatch run
#
# BASE_IMAGE is any Debian-like image whose `python3` is 3.11+ with the venv module; the
# tests build from a local debootstrap of bookworm (deploy/dev/base-image) because no
# image registry is reachable there.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
# A private CA bundle for pip when the registry is reached through one (tests mount the
# host's /etc/ssl/certs and pass its bundle); unset, pip uses its own.
ARG PIP_CERT
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python3 -m venv /opt/wirewatch
COPY pyproject.toml README.md /src/
COPY wirewatch /src/wirewatch
COPY ingest /src/ingest
COPY processors /src/processors
COPY sinks /src/sinks
# The `all` extra of pyproject.toml is every role's dependencies (the list scripts/setup
# installs, so nothing drifts), the spaCy model included; the news NER ships in the
# package. The check is scripts/setup's: the model must load at build time, not at start.
RUN /opt/wirewatch/bin/pip install "/src[all]" \
 && /opt/wirewatch/bin/python -c 'from processors.enrich.ner import load_model; load_model("ner-conll")'

FROM ${BASE_IMAGE}
ARG VERSION=unknown
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="wirewatch" \
      org.opencontainers.image.description="Streaming news monitoring: poll feeds, enrich articles, index them and fire keyword alerts." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/wirewatch/wirewatch" \
      org.opencontainers.image.documentation="https://github.com/wirewatch/wirewatch/blob/main/docs/deploy.md" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
RUN useradd --uid 10001 --user-group --home-dir /var/lib/wirewatch --create-home \
      --shell /usr/sbin/nologin wirewatch \
 && install -d -o wirewatch -g wirewatch /var/lib/wirewatch/data
COPY --from=build /opt/wirewatch /opt/wirewatch
# The data directory is the volume, whatever a mounted config file says (the environment
# outranks the file); ./wirewatch.yaml in the working directory is found without --config.
ENV PATH=/opt/wirewatch/bin:$PATH PYTHONUNBUFFERED=1 \
    WIREWATCH_DATA_DIR=/var/lib/wirewatch/data
WORKDIR /var/lib/wirewatch
USER wirewatch
VOLUME ["/var/lib/wirewatch/data"]
# Every long-running role (run, poll, worker, sink) serves /metrics, /healthz and /readyz on
# port 9464 (docs/observability.md); the health check asks /readyz, so a role that cannot
# reach Kafka or the engine, or has not loaded its models, is "unhealthy" with the reason
# (docker inspect). Switch it at build time (--build-arg HEALTHCHECK_CMD=…) or per
# container (-e HEALTHCHECK_CMD=…, or compose's healthcheck).
ENV WIREWATCH_METRICS__ENABLED=true WIREWATCH_METRICS__HOST=0.0.0.0
EXPOSE 9464
ARG HEALTHCHECK_CMD="python -m wirewatch.runtime.observe.ready"
ENV HEALTHCHECK_CMD=${HEALTHCHECK_CMD}
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD $HEALTHCHECK_CMD
ENTRYPOINT ["wirewatch"]
CMD ["run"]
