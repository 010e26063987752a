"""Liveness and readiness for load balancers and orchestrators.

`/healthz` says the process answers (no database, no cache: a probe that restarts a process
must not restart it for a database outage). `/readyz` says whether this process can serve:
the database and the cache answer, and what search depends on (Elasticsearch when it is
configured, the indexing outbox's backlog and the age of its oldest entry, this host's
embedded index: not empty while there are published practices, not behind another
host's, search.readiness) and, when tasks run on a worker, that the worker keeps up: no
task has waited to run longer than WORKER_MAX_LAG_SECONDS (the heartbeat, the time a worker
last started or finished a task, is reported beside it; an idle worker beats through the
scheduler's heartbeat task). The answers name each check and its state, never a host, a
setting or an error message.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# An outbox entry older than this means nothing drains it (search_sync or the embedded
# drain stopped): search serves stale results.
OUTBOX_MAX_AGE_SECONDS = 600
# A task waiting longer than this to run means no worker takes them (db_worker stopped).
WORKER_MAX_LAG_SECONDS = 300


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def _cache():
    key = f"kx:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return {"ok": ok}


def _elasticsearch():
    if not getattr(settings, "ELASTICSEARCH_URL", ""):
        return None
    from search.backends.elastic import get_elastic_backend

    return {"ok": get_elastic_backend().available()}


def _outbox():
    from search.models import OutboxEntry

    flag = "elasticsearch_done" if getattr(settings, "ELASTICSEARCH_URL", "") else "embedded_done"
    waiting = OutboxEntry.objects.filter(**{flag: False})
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    return {
        "ok": age <= OUTBOX_MAX_AGE_SECONDS,
        "backlog": waiting.count(),
        "oldest_seconds": round(age),
    }


def _search_index():
    from search.readiness import check

    return check()


def _worker():
    from kx_platform import background

    if not background.stores_in_database():
        return None  # tasks run in the process that enqueues them
    waiting, lag = background.queue_lag()
    seen = background.last_heartbeat()
    return {
        "ok": lag <= WORKER_MAX_LAG_SECONDS,
        "waiting": waiting,
        "oldest_waiting_seconds": round(lag),
        "heartbeat_seconds_ago": None if seen is None else round(seen),
    }


CHECKS = {
    "database": _database,
    "cache": _cache,
    "elasticsearch": _elasticsearch,
    "search_outbox": _outbox,
    "search_index": _search_index,
    "worker": _worker,
}


@never_cache
@require_GET
def readyz(request):
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            result = check()
        except Exception:  # a failing dependency is an answer here, not an error page
            result = {"ok": False}
        if result is None:
            continue  # not configured
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    ready = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": results},
        status=200 if ready else 503,
    )
