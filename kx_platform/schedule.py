"""The periodic jobs, and when each is due.

`manage.py scheduler` (one per deployment: the compose service `scheduler`, the unit
kx-scheduler.service) wakes up every few seconds and queues each job that is due as a
task; the worker runs it. Nothing slow runs in the scheduler itself.

A job runs once per slot: every `every` seconds, or once a day from `daily_at` (UTC) on —
a scheduler that was down at that time runs it when it comes back the same day. Each slot
is claimed in the shared cache (`cache.add`), so a second scheduler, or a restarted one,
never queues a job twice for the same slot.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from kx_platform import background


@dataclass(frozen=True)
class Job:
    name: str
    task_path: str
    args: tuple = ()
    every: int | None = None  # seconds
    daily_at: time | None = None  # UTC

    def slot(self, now):
        """The slot `now` falls in, or None when the job is not due yet today."""
        if self.every:
            return str(int(now.timestamp()) // self.every)
        if now.timetz().replace(tzinfo=None) < self.daily_at:
            return None
        return now.date().isoformat()

    def claim_seconds(self):
        return 2 * (self.every or 86400)


def _daily(setting, default):
    value = getattr(settings, setting, default)
    try:
        return time.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{setting} must be a time such as 06:00, not {value!r}") from error


def jobs():
    return [
        Job("heartbeat", "kx_platform.tasks.heartbeat", every=60),
        # A safety net: changes whose drain was never queued (a process lost between its
        # commit and the queueing) reach the embedded index within a minute.
        Job("search_drain", "search.tasks.drain_embedded", every=60),
        Job(
            "publish_scheduled",
            "kx_platform.tasks.run_command",
            ("publish_scheduled",),
            every=60,
        ),
        Job(
            "forum_digest",
            "experts.forum.tasks.send_digests",
            daily_at=_daily("KX_DIGEST_TIME", "06:00"),
        ),
        Job(
            "clearsessions",
            "kx_platform.tasks.run_command",
            ("clearsessions",),
            daily_at=_daily("KX_MAINTENANCE_TIME", "03:00"),
        ),
        Job(
            "prune_task_results",
            "kx_platform.tasks.run_command",
            ("prune_db_task_results",),
            daily_at=_daily("KX_MAINTENANCE_TIME", "03:00"),
        ),
    ]


def run_due(now=None):
    """Queue every job that is due and not queued yet for its slot; returns their names."""
    from django.utils.module_loading import import_string

    now = now or timezone.now()
    if isinstance(now, datetime) and timezone.is_naive(now):
        now = now.replace(tzinfo=UTC)
    now = now.astimezone(UTC)
    queued = []
    for job in jobs():
        slot = job.slot(now)
        if slot is None:
            continue
        if not cache.add(f"kx:schedule:{job.name}:{slot}", now.isoformat(), job.claim_seconds()):
            continue
        background.enqueue(import_string(job.task_path), *job.args)
        queued.append(job.name)
    return queued
