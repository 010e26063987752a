"""The search app's background tasks (run by the worker: kx_platform.background).

`drain_embedded` brings the embedded index up to date with the outbox. search.outbox
queues it after a commit that wrote outbox rows, once for many changes (its shared-cache
mark); the worker that runs it writes var/search.sqlite3 of its host, the same file the
host's web processes read. In development and the tests it runs at once, after commit.
"""

from django.core.cache import cache
from django.tasks import task

from search import outbox


@task()
def drain_embedded():
    """Apply the pending outbox entries to this host's embedded index."""
    from search.backends.embedded import get_index

    # First: a change committed from now on queues another drain, which takes what this
    # one may miss.
    try:
        cache.delete(outbox.DRAIN_MARK)
    except Exception:  # noqa: S110 - the mark expires by itself; the drain matters more
        pass
    return {"applied": outbox.drain(get_index(), outbox.EMBEDDED)}
