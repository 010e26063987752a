"""Reading, preparing and analysing objects for an embedded-index rebuild, in parallel.

A rebuild spends most of its time in Python: reading pages through the ORM,
`prepare()`, and the analysis of their text (bench/search.py --profile). Those are
done in batches by worker processes (forked, so they share the loaded project), while
the rebuilding process only writes the rows they send back. Batches come back in order,
so an index built in parallel holds the same rows as one built in-process.
"""

import multiprocessing
import os

from django.conf import settings
from django.db import connections

PARALLEL_MIN_OBJECTS = 2_000  # below this, starting workers costs more than it saves


def default_workers():
    configured = os.environ.get("KX_SEARCH_BUILD_WORKERS") or getattr(
        settings, "KX_SEARCH_BUILD_WORKERS", None
    )
    if configured:
        return max(1, int(configured))
    return max(1, min(os.cpu_count() or 1, 8))


def database_in_memory():
    return any(
        "memory" in str(connections[alias].settings_dict.get("NAME") or ":memory:")
        or str(connections[alias].settings_dict.get("TEST", {}).get("NAME") or "").startswith(
            "file:memorydb"
        )
        for alias in connections
        if connections[alias].vendor == "sqlite"
    )


def batch_rows(task):
    """The index rows of one batch: (content type, primary keys, restricted paths, the
    index's PhraseIndex)."""
    from search.backends.embedded import index_rows
    from search.documents import DOCUMENTS

    name, pks, restricted, phrases = task
    return [index_rows(d, phrases) for d in DOCUMENTS[name].prepare_batch(pks, restricted)]


def batch_tasks(documents, phrases, batch_size):
    for document in documents:
        restricted = document.restricted_paths()
        pks = list(document.get_queryset().values_list("pk", flat=True))
        for start in range(0, len(pks), batch_size):
            yield document.content_type_name, pks[start : start + batch_size], restricted, phrases


def build_batches(documents, phrases, batch_size=500, workers=None):
    """(number of objects, their index rows), batch after batch, for every object of
    `documents`, with the tokens of `phrases` (a PhraseIndex)."""
    documents = list(documents)
    tasks = list(batch_tasks(documents, phrases, batch_size))
    objects = sum(len(task[1]) for task in tasks)
    workers = default_workers() if workers is None else workers
    if workers < 2 or objects < PARALLEL_MIN_OBJECTS or database_in_memory():
        for task in tasks:
            yield len(task[1]), batch_rows(task)
        return
    connections.close_all()  # each worker opens its own
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        for task, rows in zip(tasks, pool.imap(batch_rows, tasks), strict=True):
            yield len(task[1]), rows
