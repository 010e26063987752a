"""Benchmark settings: the test settings on a throwaway SQLite file, DEBUG off.

bench.common.setup_django() creates a temporary directory, points KX_BENCH_DB at a
file in it (and KX_VAR_DIR, KX_MEDIA_ROOT at the directory) and removes
DATABASE_URL before Django reads these settings, so a benchmark can never run
against a developer's or a shared database. Everything else about the connection
(CONN_MAX_AGE, OPTIONS such as an init_command) is kept from the project's settings,
so that a database tuning made there is measured here too.
"""

import os

from kx_platform.settings.test import *  # noqa: F403
from kx_platform.settings.test import DATABASES as _PROJECT_DATABASES
from kx_platform.settings.test import KX_SEARCH_INDEX as _TEST_SEARCH_INDEX

_WORKDIR = os.path.dirname(os.environ["KX_BENCH_DB"])

DEBUG = False
DATABASES = {
    "default": {
        **_PROJECT_DATABASES["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["KX_BENCH_DB"],
    }
}
STATIC_ROOT = os.path.join(_WORKDIR, "static")
MEDIA_ROOT = os.path.join(_WORKDIR, "media")
# The search service's index lives with the database; the empty temporary directory the
# test settings made for theirs is removed.
KX_SEARCH_INDEX = os.path.join(_WORKDIR, "search.sqlite3")
try:
    os.rmdir(os.path.dirname(_TEST_SEARCH_INDEX))
except OSError:
    pass
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
