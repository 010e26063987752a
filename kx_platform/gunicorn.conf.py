"""gunicorn for KX: `gunicorn -c kx_platform/gunicorn.conf.py`.

Everything that differs between hosts comes from the environment; the defaults suit a
container behind a reverse proxy that terminates TLS (it sends X-Forwarded-Proto).

Before it listens, the master brings this host's embedded search index up to date
(`on_starting`: `manage.py search_catch_up`, in a child process): rebuilt when the file is
missing, empty or behind, else the pending outbox applied. So a new host, or a fresh var/,
does not serve an empty index; a rebuild of a large library delays the start by as long
as it takes. A configuration the search checks refuse (KX_APP_HOSTS above 1 without
ELASTICSEARCH_URL), or settings that do not load, stop gunicorn; a failure of the catch-up
itself (the database down) is logged and gunicorn starts, and /readyz says whether the
index can serve. KX_SEARCH_CATCH_UP_ON_START=0 skips it.
"""

import multiprocessing
import os

wsgi_app = "kx_platform.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that takes longer is cut: slow work (mail, PDFs, index updates) belongs elsewhere.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Restart workers now and then, so that a slow leak never takes a host down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# One line per request, with the request id the platform returns (kx_platform.request_log).
access_log_format = (
    '{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", '
    '"request_id": "%({x-request-id}o)s", "pid": "%(p)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "ms": %(M)s}'
)


# search_catch_up's exit status when it ran but failed (search.readiness): start anyway.
CATCH_UP_FAILED = 3


def on_starting(server):
    """In the master, once, before it binds and forks: catch the search index up.

    In a child process: the master imports no Django, so a reload (HUP) still gives the
    workers the new code, and no connection crosses the fork."""
    if os.environ.get("KX_SEARCH_CATCH_UP_ON_START", "1").lower() in ("0", "false", "no", "off"):
        return
    import subprocess
    import sys
    from pathlib import Path

    manage = Path(__file__).resolve().parent.parent / "manage.py"
    # The app's settings (kx_platform.wsgi), not manage.py's development default.
    env = {"DJANGO_SETTINGS_MODULE": "kx_platform.settings.production", **os.environ}
    server.log.info("Catching the embedded search index up (manage.py search_catch_up)")
    status = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(manage), "search_catch_up"], env=env, check=False
    ).returncode
    if status == CATCH_UP_FAILED:
        server.log.error("The search index was not caught up: /readyz says if it can serve")
    elif status != 0:
        server.log.error("search_catch_up refused to run (exit %s): gunicorn stops", status)
        sys.exit(1)
