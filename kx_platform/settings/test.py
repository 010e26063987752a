"""Test settings: fast hashing, in-memory mail, media in a temp dir."""

import atexit
import os
import shutil
import tempfile

from .base import *  # noqa: F403

DEBUG = False
# One process per test run: its memory cache is all it shares (kx_platform.checks).
SILENCED_SYSTEM_CHECKS = ["kx.E002"]
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]
# Mail is queued like in production; the task runs at once and hands it to the in-memory
# mailer (django.core.mail.outbox).
MAILERS = {
    "default": {"BACKEND": "kx_platform.mail.QueuedEmailBackend"},
    "outgoing": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# This run's media and search index, removed when the process ends (worker processes of
# a parallel index build leave through os._exit and do not remove it).
_SCRATCH = tempfile.mkdtemp(prefix="kx-test-")
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)
MEDIA_ROOT = os.environ.get("KX_MEDIA_ROOT") or os.path.join(_SCRATCH, "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
KX_SHOW_DEMO_PASSWORDS = False
KX_SEARCH_INDEX = os.path.join(_SCRATCH, "search.sqlite3")
ELASTICSEARCH_URL = ""  # the live suite (tests/live) reads the environment itself
