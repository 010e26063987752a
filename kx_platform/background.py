"""Background work: Django's tasks framework, and what the platform knows of it.

Slow or fallible work (e-mail, the forum's fan-out, guidebook PDFs, search indexing)
never runs in a web request: the request enqueues a task and a worker runs it. Production
stores tasks in the database (django-tasks-db's backend: a task enqueued in a
transaction is a row of it) and runs `manage.py db_worker`;
development and the tests run each task at once, after the transaction that enqueued it
commits (Django's ImmediateBackend).

The worker's heartbeat (the time it last started or finished a task, in the shared
cache) and the queue's lag (the age of the oldest task waiting to run) are what /readyz
and `manage.py tasks status` report.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.tasks import task_backends
from django.tasks.signals import task_finished, task_started
from django.utils import timezone

HEARTBEAT_KEY = "kx:tasks:heartbeat"
HEARTBEAT_TIMEOUT = 7 * 86400


def stores_in_database(backend=None):
    """True when tasks are rows of the main database (the production backend)."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend or task_backends["default"], DatabaseBackend)


def enqueue(task, *args, **kwargs):
    """Enqueue `task` for when the current transaction commits.

    With the database backend the task is written now, in the same transaction: it is
    committed with the data it reads, or rolled back with it, and a crash after the
    commit cannot lose it. With any other backend it is enqueued on commit."""
    if stores_in_database(task.get_backend()):
        return task.enqueue(*args, **kwargs)
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)
    return None


def can_defer(task):
    """Whether `task`'s backend can run it later (a retry with a delay)."""
    return task.get_backend().supports_defer


# --- The worker's heartbeat and the queue's lag ----------------------------------------


def record_heartbeat(**kwargs):
    cache.set(HEARTBEAT_KEY, timezone.now().timestamp(), HEARTBEAT_TIMEOUT)


def last_heartbeat():
    """Seconds since a worker last started or finished a task, or None if never."""
    seen = cache.get(HEARTBEAT_KEY)
    return None if seen is None else max(0.0, timezone.now().timestamp() - seen)


def queue_lag():
    """(tasks waiting to run now, seconds the oldest of them has waited)."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    waiting = DBTaskResult.objects.ready()  # due now (a task without a time is due at once)
    oldest = waiting.aggregate(oldest=Min("enqueued_at"))["oldest"]
    return waiting.count(), (now - oldest).total_seconds() if oldest else 0.0


def connect_heartbeat():
    task_started.connect(record_heartbeat, dispatch_uid="kx.tasks.heartbeat.started")
    task_finished.connect(record_heartbeat, dispatch_uid="kx.tasks.heartbeat.finished")
