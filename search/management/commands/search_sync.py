"""Drain the search outbox into Elasticsearch.

    manage.py search_sync --once        apply what is pending, then exit
    manage.py search_sync               keep doing it, polling every few seconds

A content type without an index yet is first loaded in full from the database. Each
entry is marked done for Elasticsearch only after the cluster accepted its batch,
so a failure (cluster down, a refused document) loses nothing: the failed batch's
entries get `attempts` + 1 and `last_error`, and the command retries with exponential
backoff (1 s, 2 s, 4 s ... at most 60 s, with jitter). With --once it gives up after
--max-retries failed attempts in a row and exits non-zero; the worker retries forever
unless --max-retries is given. SIGTERM or SIGINT stops the worker after the current
batch (a second signal stops it at once; the entries of an unfinished batch stay pending).
"""

import logging
import random
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.db.models import F

from search import outbox
from search.backends import elasticsearch_configured
from search.models import OutboxEntry

logger = logging.getLogger("search.sync")

FLAG = "elasticsearch_done"
NOT_CONFIGURED = (
    "ELASTICSEARCH_URL is not set; the embedded index is kept current by the worker's"
    " drain task (search.tasks.drain_embedded)"
)
BACKOFF_BASE = 1.0  # seconds before the first retry; doubled at each failure
BACKOFF_CAP = 60.0
ONCE_MAX_RETRIES = 5
MAX_ERROR_CHARS = 2000


def backoff(failures):
    """Seconds to wait after the n-th failure in a row: 1, 2, 4 ... capped, +-20% jitter."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, failures - 1))
    return min(BACKOFF_CAP, delay * random.uniform(0.8, 1.2))


def one_line(exc):
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:MAX_ERROR_CHARS]


def _elastic_backend():
    from search.backends import elastic

    return elastic.get_elastic_backend()


class Command(BaseCommand):
    help = "Apply the search outbox to Elasticsearch (once, or as a long-running worker)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Apply what is pending, then exit.")
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Outbox entries per bulk request."
        )
        parser.add_argument(
            "--max-retries",
            type=int,
            default=None,
            help=(
                "Retries after a failed attempt before giving up "
                f"(default {ONCE_MAX_RETRIES} with --once; without --once, forever)."
            ),
        )
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between polls (worker)."
        )

    def handle(self, *args, once, batch_size, max_retries, interval, **options):
        if not elasticsearch_configured():
            raise CommandError(NOT_CONFIGURED)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if max_retries is None:
            max_retries = ONCE_MAX_RETRIES if once else -1  # -1: never give up
        self.stopping = False
        previous = self._handle_signals()
        try:
            if once:
                applied = self.drain(batch_size, max_retries)
                self.stdout.write(f"Elasticsearch: {applied or 0} outbox entries applied.")
            else:
                self.work(batch_size, max_retries, interval)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    # --- the loop ---------------------------------------------------------------------
    def work(self, batch_size, max_retries, interval):
        logger.info("search_sync: applying the outbox to Elasticsearch every %.0f s", interval)
        while not self.stopping:
            if not connection.in_atomic_block:  # a long-lived worker drops stale connections
                close_old_connections()
            applied = self.drain(batch_size, max_retries)
            if applied:
                logger.info("search_sync: %d outbox entries applied", applied)
            self.sleep(interval)
        logger.info("search_sync: stopped")

    def drain(self, batch_size, max_retries):
        """Apply everything pending, retrying with backoff. Returns how many entries were
        applied (None when stopped by a signal); raises CommandError on giving up."""
        failures = 0
        while True:
            try:
                backend = _elastic_backend()
                backend.ensure_indices(fill=True)
                return outbox.drain(backend, FLAG, batch_size)
            except Exception as exc:
                failures += 1
                message = one_line(exc)
                self.record_failure(batch_size, message)
                logger.warning(
                    "search_sync: attempt %d failed, the entries stay pending: %s",
                    failures,
                    message,
                )
                if 0 <= max_retries < failures:
                    pending = outbox.pending(FLAG).count()
                    raise CommandError(
                        f"Elasticsearch could not be updated after {failures} attempts "
                        f"({pending} outbox entries stay pending): {message}"
                    ) from exc
            if self.sleep(backoff(failures)):
                return None

    def record_failure(self, batch_size, message):
        """Count the attempt on the entries of the batch that failed (the first pending
        ones: every batch before it was marked done)."""
        try:
            ids = list(outbox.pending(FLAG, batch_size).values_list("pk", flat=True))
            OutboxEntry.objects.filter(pk__in=ids).update(
                attempts=F("attempts") + 1, last_error=message
            )
        except Exception:  # the database may be what failed
            logger.exception("search_sync: could not record the failure on the outbox")

    # --- stopping ---------------------------------------------------------------------
    def sleep(self, seconds):
        """Wait, waking early when a signal asks to stop; True when stopping."""
        deadline = time.monotonic() + seconds
        while not self.stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(remaining, 0.2))
        return True

    def _handle_signals(self):
        def stop(signum, frame):
            if self.stopping:
                raise SystemExit(128 + signum)
            self.stopping = True
            logger.info("search_sync: signal %d, stopping after the current batch", signum)

        previous = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            try:
                previous[signum] = signal.signal(signum, stop)
            except ValueError:  # not the main thread: the caller handles signals
                pass
        return previous
