# Tandem: `docker build -t tandem .` then `docker run --env-file .env -p 3000:3000 -v tandem-data:/data tandem`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 tandem \
    && useradd --system --uid 10001 --gid tandem --home-dir /app --no-create-home tandem \
    && mkdir -p /app /data \
    && chown tandem:tandem /data

# bot/migrate.py looks for alembic.ini and migrations/ in the working directory of an installed
# package, so they live in WORKDIR next to the source the package was installed from.
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install ".[postgres]"
COPY alembic.ini ./
COPY migrations ./migrations

USER tandem
# SQLite in the /data volume unless DATABASE_URL says otherwise (postgresql://... works as is).
ENV DATABASE_URL=sqlite:////data/tandem.db \
    PORT=3000
VOLUME ["/data"]
EXPOSE 3000

# /healthz is served in HTTP mode; slim images have no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

CMD ["tandem", "run"]
