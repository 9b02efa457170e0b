# The Telegram bot in a container. No build tools are needed: every dependency ships wheels.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LEGALAID_DATA_DIR=/data

# postgresql-client: pg_dump, for `legalaid db backup` when LEGALAID_DATABASE_URL is PostgreSQL.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 legalaid \
    && mkdir /data && chown legalaid:legalaid /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY common ./common
COPY faq ./faq
COPY handlers ./handlers
COPY policy ./policy
COPY services ./services
COPY storage ./storage
RUN pip install .

USER legalaid
VOLUME ["/data"]

# Healthy when the configuration, text catalog, knowledge base and database (read-only) are sound.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["legalaid", "health"]

CMD ["legalaid", "telegram"]
