"""Benchmark settings: the test settings on a throwaway SQLite file, DEBUG off.

bench.common.setup_django() sets KX_BENCH_DB to a file in a fresh temporary
directory before Django reads these settings; DATABASE_URL is deliberately ignored
so a benchmark can never run against a developer's or a shared database.
"""

import os

from kx_platform.settings.test import *  # noqa: F403

DEBUG = False
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["KX_BENCH_DB"],
        # As in base.py (DATABASE_CONN_MAX_AGE, default 60): one connection per process,
        # not a new one per request.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": False,
    }
}
STATIC_ROOT = os.path.join(os.path.dirname(os.environ["KX_BENCH_DB"]), "static")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
