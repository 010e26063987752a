# KX: one image for every process of a deployment (compose.yaml names them):
#   web          gunicorn -c kx_platform/gunicorn.conf.py   (the default command)
#   worker       python manage.py db_worker
#   search_sync  python manage.py search_sync
#   scheduler    python manage.py scheduler
#   release      python manage.py release                   (once per deployment, first)
# Nothing secret is in the image: every setting comes from the environment at run time
# (deploy/kx.env.example). The translations and the static files are built here, with
# dummy values that only let the production settings load for those two commands; the
# code's bytecode too, since the processes cannot write beside the code.

FROM python:3.12-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango for WeasyPrint (the guidebook PDFs), and HarfBuzz's subsetter, which it embeds
# fonts with (it warns that future versions will require it); Noto fonts for Latin and
# Arabic text (fonts-noto-core: Noto Serif, Noto Sans, Noto Naskh Arabic, Noto Kufi Arabic).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The pinned dependencies first, so that a change of code alone reuses this layer.
# (pyproject.toml installs no package of its own: the code runs from /app.)
COPY pyproject.toml constraints.txt README.md ./
RUN pip install -c constraints.txt .


# --- build: the compiled catalogues and the static files ------------------------------
FROM base AS build

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

COPY . .
# Dummy values for the production settings, in this RUN only: never in the image's
# environment, never used to connect anywhere.
RUN export DJANGO_SETTINGS_MODULE=kx_platform.settings.production \
        SECRET_KEY=build-time-only-not-a-secret \
        ALLOWED_HOSTS=build.invalid \
        DATABASE_URL=sqlite:////tmp/build-only.sqlite3 \
        EMAIL_HOST=build.invalid \
        DEFAULT_FROM_EMAIL=build@build.invalid \
        KX_BASE_URL=https://build.invalid \
        KX_VAR_DIR=/tmp/build-var \
        KX_STATIC_ROOT=/app/static \
    && python manage.py compilemessages -v 0 \
    && python manage.py collectstatic --no-input -v 0 \
    && rm -rf /tmp/build-only.sqlite3 /tmp/build-var \
    && python -m compileall -q kx_platform practices experts search


# --- the runtime image ---------------------------------------------------------------
FROM base

# A system user with a fixed id (Kubernetes' runAsNonRoot checks a numeric one). The
# code belongs to root and is read-only for it; it writes only under /app/var.
RUN groupadd --system --gid 10001 kx \
    && useradd --system --uid 10001 --gid kx --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin kx

COPY --from=build /app /app
RUN mkdir -p /app/var/media && chown -R kx:kx /app/var

ENV DJANGO_SETTINGS_MODULE=kx_platform.settings.production \
    KX_VAR_DIR=/app/var \
    KX_STATIC_ROOT=/app/static \
    PORT=8000

# Media (images, documents, guidebook PDFs) and the embedded search index.
VOLUME ["/app/var"]

USER 10001:10001
EXPOSE 8000

# Liveness only (no database): the answer of this container's gunicorn on /healthz.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]

CMD ["gunicorn", "-c", "kx_platform/gunicorn.conf.py"]
