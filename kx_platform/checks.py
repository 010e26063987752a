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


@register(deploy=False)
def media_storage_is_complete(app_configs, **kwargs):
    """A bucket named without credentials (or the other way round) would only fail at the
    first upload, or show every image broken; say so when the process starts."""
    from django.core.checks import Warning

    from kx_platform.media_storage import media_problems

    return [
        (Error if check_id.startswith("kx.E") else Warning)(message, hint=hint, id=check_id)
        for check_id, message, hint in media_problems()
    ]
