# Tandem: `docker build -t tandem .` then `docker run --env-file .env -p 3000:3000 -v tandem-data:/data tandem`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The user's home is /home/tandem and writable: matplotlib (the digest's chart) keeps its cache
# there (MPLCONFIGDIR) instead of warning about an unwritable one.
RUN groupadd --system --gid 10001 tandem \
    && useradd --system --uid 10001 --gid tandem --home-dir /home/tandem --create-home tandem \
    && mkdir -p /app /data \
    && chown tandem:tandem /data

# Dependencies first, in their own layer: rebuilt only when pyproject.toml changes, not on every
# code change. They are read from pyproject.toml (with the `postgres` extra), the project itself
# is not needed for that.
WORKDIR /src
COPY pyproject.toml ./
RUN python -c "import tomllib; project = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(project['dependencies'] + project['optional-dependencies']['postgres']))" > requirements.txt \
    && pip install -r requirements.txt

# Then the code. The migrations are installed inside the package (bot.migrations): `tandem migrate`
# needs nothing from the working directory, so the source is removed once installed (and `python
# -m bot` in WORKDIR imports the installed package, not a copy).
COPY README.md ./
COPY bot ./bot
COPY migrations ./migrations
RUN pip install --no-deps . && rm -rf /src
WORKDIR /app

USER tandem
# SQLite in the /data volume unless DATABASE_URL says otherwise (postgresql://... works as is).
ENV HOME=/home/tandem \
    MPLCONFIGDIR=/home/tandem/.config/matplotlib \
    DATABASE_URL=sqlite:////data/tandem.db \
    PORT=3000
VOLUME ["/data"]
EXPOSE 3000

# /healthz is served on PORT in both modes (in Socket Mode that port serves only /healthz and
# /metrics); slim images have no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

CMD ["tandem", "run"]
