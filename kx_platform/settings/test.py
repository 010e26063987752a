"""Test settings: fast hashing, in-memory mail, media in a temp dir."""

import os
import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = os.environ.get("KX_MEDIA_ROOT", tempfile.mkdtemp(prefix="kx-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
KX_SHOW_DEMO_PASSWORDS = False
KX_GUIDEBOOK_PDF_IN_BACKGROUND = False  # other threads cannot see a test's transaction
KX_SEARCH_INDEX = os.path.join(tempfile.mkdtemp(prefix="kx-search-"), "search.sqlite3")
ELASTICSEARCH_URL = ""  # the live suite (tests/live) reads the environment itself
