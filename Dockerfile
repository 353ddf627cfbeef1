# paperfeed in a container: `docker compose up -d --build` (compose.yaml: paperfeed + PostgreSQL), or
#   docker build -t paperfeed . && docker run -p 127.0.0.1:8000:8000 -v paperfeed-data:/var/lib/paperfeed paperfeed
# docs/deploy.md explains the settings, the reverse proxy in front and backups.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pg_dump, pg_restore and psql for `paperfeed backup|restore` on PostgreSQL (bookworm's client is
# PostgreSQL 15: pg_dump must be the server's major version or newer; compose.yaml runs postgres:15)
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# torch first, as the CPU wheel: PyPI's Linux torch is the CUDA build (gigabytes of GPU libraries this
# image never uses). pyproject pins torch==2.13.0, which the CPU wheel (2.13.0+cpu) satisfies, so the
# `pip install` below keeps it. Point TORCH_INDEX elsewhere (a mirror) with --build-arg.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN pip install "torch==2.13.0" --index-url "$TORCH_INDEX"

WORKDIR /opt/paperfeed
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && rm -rf /opt/paperfeed/src /opt/paperfeed/build

RUN useradd --system --create-home --home-dir /var/lib/paperfeed --shell /usr/sbin/nologin paperfeed
# the data dir exists in the image, owned by paperfeed: a new named volume copies its owner, so the
# server (not root) can write there; a directory bind-mounted from the host must be writable by this uid
RUN install -d -o paperfeed -g paperfeed /var/lib/paperfeed/data
USER paperfeed
WORKDIR /var/lib/paperfeed

# the data dir: SQLite database (when no PostgreSQL URL is set), search indexes, the secret key
ENV PAPERFEED_DATA_DIR=/var/lib/paperfeed/data \
    PAPERFEED_HOST=0.0.0.0 \
    PAPERFEED_PORT=8000
VOLUME ["/var/lib/paperfeed/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"

# serve migrates the database before the first request and runs the built-in scheduler
CMD ["paperfeed", "serve"]
