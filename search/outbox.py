"""Record every change that search must follow, in the transaction that makes it.

Signal handlers call `enqueue()`; the row commits or rolls back with the change. Once the
transaction has committed, a task drains the outbox into the embedded index
(`search.tasks.drain_embedded`, on the worker: kx_platform.background); `manage.py
search_sync` drains it into Elasticsearch. A crash between commit and drain leaves the rows
for the next drain (the next change's task, `manage.py search_catch_up` when the host
starts): nothing is lost.

One task for many changes: after commit, a mark in the shared cache (DRAIN_MARK,
`cache.add`) says a drain is queued, and a change that finds it queues none. The task
clears the mark as it starts, so a change committed while a drain runs queues the next
one. The mark expires after DRAIN_MARK_SECONDS, in case its task was lost.

The embedded index is one host's file (search.backends.embedded): with several hosts
production uses Elasticsearch (KX_APP_HOSTS, search.checks), because a drain task runs
on whichever worker takes it and marks the entries done for every host. Each drain
records in the index file, and in the shared cache (SHARED_POSITION_KEY), the last entry
it applied: a file whose position is behind the shared one missed changes another file
took (search.readiness).
"""

import logging

from django.core.cache import cache
from django.db import transaction

from search.models import OutboxEntry

logger = logging.getLogger(__name__)

EMBEDDED = "embedded_done"
DRAIN_MARK = "kx:search:embedded-drain-queued"
DRAIN_MARK_SECONDS = 300
SHARED_POSITION_KEY = "kx:search:embedded-position"


def enqueue(content_type, object_ids, action):
    ids = sorted({int(i) for i in object_ids})
    if not ids:
        return
    OutboxEntry.objects.bulk_create(
        [OutboxEntry(content_type=content_type, object_id=i, action=action) for i in ids]
    )
    transaction.on_commit(queue_drain)


def queue_drain():
    """After commit: queue the embedded index's drain, unless one is queued already.
    Never fails the request: the rows stay for the next drain."""
    from kx_platform import background
    from search.tasks import drain_embedded

    try:
        if not cache.add(DRAIN_MARK, 1, DRAIN_MARK_SECONDS):
            return  # a drain is queued and has not started: it will take this change
    except Exception:  # no shared cache: a drain per transaction, rather than none
        logger.warning("Search outbox: the shared cache failed; queueing a drain anyway")
    try:
        background.enqueue(drain_embedded)
    except Exception:
        logger.exception("Search outbox: the embedded index's drain could not be queued")
        try:
            cache.delete(DRAIN_MARK)
        except Exception:  # noqa: S110 - the mark expires by itself
            pass


def pending(flag, limit=None):
    qs = OutboxEntry.objects.filter(**{flag: False}).order_by("pk")
    return qs[:limit] if limit else qs


def drain(backend, flag, batch_size=500):
    """Apply pending entries to `backend` in batches; return how many were applied.

    Entries for the same object collapse to the latest action. The entries are marked
    done only after the backend accepted the batch.
    """
    from search.documents import DOCUMENTS

    applied = 0
    while True:
        batch = list(pending(flag, batch_size))
        if not batch:
            return applied
        latest = {}
        for entry in batch:
            latest[(entry.content_type, entry.object_id)] = entry.action
        for content_type, document in DOCUMENTS.items():
            ids = [oid for (ct, oid), _ in latest.items() if ct == content_type]
            if not ids:
                continue
            index_ids = [oid for oid in ids if latest[(content_type, oid)] == "index"]
            prepared = document.prepare_batch(index_ids)
            indexed = {data["object_id"] for data in prepared}
            # Gone, hidden or unpublished objects lose their documents; so do the
            # documents an object with several (experts: tiers x languages) no longer has.
            delete_ids = [
                oid for oid in ids if oid not in indexed or len(document.doc_ids(oid)) > 1
            ]
            backend.apply(document, prepared, delete_ids)
        last = max(entry.pk for entry in batch)
        note_position = getattr(backend, "note_outbox_position", None)
        if note_position:  # the index file first: its position is never behind the shared one
            note_position(last)
        OutboxEntry.objects.filter(pk__in=[e.pk for e in batch]).update(**{flag: True})
        if flag == EMBEDDED:
            _share_position(last)
        applied += len(batch)
        purge_done()


def _share_position(entry_pk):
    try:
        if entry_pk > (shared_position() or 0):
            cache.set(SHARED_POSITION_KEY, entry_pk, None)
    except Exception:  # only what /readyz compares with; the index is current
        logger.warning("Search outbox: the shared cache failed; the position is not shared")


def shared_position():
    """The last outbox entry an embedded index took, on any host (None: unknown)."""
    return cache.get(SHARED_POSITION_KEY)


def position_for_rebuild(file_position=None):
    """The outbox position a rebuild starting now covers: every entry committed so far
    is in the database it reads (entries still pending are drained after it anyway)."""
    newest = OutboxEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    try:
        shared = shared_position()
    except Exception:
        shared = None
    return max(file_position or 0, newest or 0, shared or 0)


def purge_done():
    """Forget entries every configured backend has taken."""
    from search.backends import elasticsearch_configured

    done = OutboxEntry.objects.filter(embedded_done=True)
    if elasticsearch_configured():
        done = done.filter(elasticsearch_done=True)
    done.delete()
