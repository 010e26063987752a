"""System checks of the deployment's shared state."""

from django.conf import settings
from django.core.checks import Error, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(deploy=False)
def caches_are_shared(app_configs, **kwargs):
    """With DEBUG off several processes serve: a per-process cache would let each one count
    sign-in attempts and rate limits on its own, and serve stale cached pages."""
    if settings.DEBUG:
        return []
    return [
        Error(
            f"The {name!r} cache ({config['BACKEND'].rsplit('.', 1)[-1]}) is per process.",
            hint="Set CACHE_URL to a Redis or Valkey server, or use the database cache.",
            id="kx.E002",
        )
        for name, config in settings.CACHES.items()
        if config.get("BACKEND") in PER_PROCESS_CACHES
    ]
