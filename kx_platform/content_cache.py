"""A cache whose entries all go stale together when published content changes.

Facet counts and vocabularies are the same for every reader of the same list until
a practice is published, unpublished, moved or deleted, or the taxonomy changes; each
of those bumps the generation, so cached entries are never served stale. Entries also
expire after CONTENT_CACHE_SECONDS, so a deployment with several processes and a
per-process cache converges within that time (configure a shared cache in CACHES to
make invalidation immediate everywhere).
"""

from django.core.cache import cache

GENERATION_KEY = "kx:content-generation"
CONTENT_CACHE_SECONDS = 300


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = 1
        cache.add(GENERATION_KEY, value, None)
    return value


def bump(**kwargs):
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def cached(key, compute):
    """compute() once per content generation (and at most CONTENT_CACHE_SECONDS)."""
    full_key = f"kx:{generation()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, CONTENT_CACHE_SECONDS)
    return value
