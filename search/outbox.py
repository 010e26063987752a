"""Record every change that search must follow, in the transaction that makes it.

Signal handlers call `enqueue()`; the row commits or rolls back with the change. After
commit the embedded index drains the outbox (so it is current when the request
ends); `manage.py search_sync` drains it into Elasticsearch. A crash between commit and
drain leaves the rows for the next drain: nothing is lost.
"""

import logging

from django.db import transaction

from search.models import OutboxEntry

logger = logging.getLogger(__name__)


def enqueue(content_type, object_ids, action):
    ids = sorted({int(i) for i in object_ids})
    if not ids:
        return
    OutboxEntry.objects.bulk_create(
        [OutboxEntry(content_type=content_type, object_id=i, action=action) for i in ids]
    )
    transaction.on_commit(drain_embedded_soon)


def drain_embedded_soon():
    """Run after commit: bring the embedded index up to date; never fail the request."""
    from search.backends.embedded import get_index

    try:
        drain(get_index(), "embedded_done")
    except Exception:  # the rows stay; the next drain or search_sync retries them
        logger.exception("Draining the search outbox into the embedded index failed")


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
        OutboxEntry.objects.filter(pk__in=[e.pk for e in batch]).update(**{flag: True})
        applied += len(batch)
        purge_done()


def purge_done():
    """Forget entries every configured backend has taken."""
    from search.backends import elasticsearch_configured

    done = OutboxEntry.objects.filter(embedded_done=True)
    if elasticsearch_configured():
        done = done.filter(elasticsearch_done=True)
    done.delete()
