"""Local development: DEBUG on, console e-mail, a fixed dev-only secret."""

import os

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-kx")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
KX_SHOW_DEMO_PASSWORDS = True

VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
