"""Several processes share one cache: Redis or Valkey by CACHE_URL, else (in production) a
database table; a per-process cache with DEBUG off is refused."""

import importlib

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from kx_platform.checks import caches_are_shared

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "kx.example.org",
    "DATABASE_URL": "sqlite:////tmp/kx-never-opened.sqlite3",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "KX <kx@example.org>",
    "KX_BASE_URL": "https://kx.example.org",
}


def test_a_per_process_cache_with_debug_off_is_refused(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": LOCMEM}
    errors = caches_are_shared(None)
    assert [error.id for error in errors] == ["kx.E002"]
    assert "per process" in errors[0].msg and "CACHE_URL" in errors[0].hint


@pytest.mark.django_db
def test_manage_py_check_stops_on_a_per_process_cache(settings):
    settings.DEBUG = False
    settings.SILENCED_SYSTEM_CHECKS = []
    settings.CACHES = {"default": LOCMEM}
    with pytest.raises(SystemCheckError, match="kx.E002"):
        call_command("check")


def test_development_may_keep_its_memory_cache(settings):
    settings.DEBUG = True
    settings.CACHES = {"default": LOCMEM}
    assert caches_are_shared(None) == []


def _production(monkeypatch, **env):
    for name, value in {**PRODUCTION_ENV, **env}.items():
        monkeypatch.setenv(name, value)
    base = importlib.reload(importlib.import_module("kx_platform.settings.base"))
    production = importlib.reload(importlib.import_module("kx_platform.settings.production"))
    return base, production


@pytest.fixture
def restore_settings_modules(monkeypatch):
    yield
    monkeypatch.undo()  # the environment first, then the modules read it again
    importlib.reload(importlib.import_module("kx_platform.settings.base"))


def test_cache_url_shares_both_caches_through_redis(monkeypatch, restore_settings_modules):
    _base, production = _production(monkeypatch, CACHE_URL="redis://cache.internal:6379/0")
    for name in ("default", "template_fragments"):
        config = production.CACHES[name]
        assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        assert config["LOCATION"] == "redis://cache.internal:6379/0"
    assert (
        production.CACHES["default"]["KEY_PREFIX"]
        != production.CACHES["template_fragments"]["KEY_PREFIX"]
    )


def test_production_without_cache_url_uses_the_database(monkeypatch, restore_settings_modules):
    monkeypatch.delenv("CACHE_URL", raising=False)
    _base, production = _production(monkeypatch)
    backends = {config["BACKEND"] for config in production.CACHES.values()}
    assert backends == {"django.core.cache.backends.db.DatabaseCache"}
