"""Queue the periodic jobs when they are due (kx_platform.schedule).

manage.py scheduler          keep doing it (one per deployment; SIGTERM stops it)
manage.py scheduler --once   queue what is due now, then exit (for cron or a timer)
manage.py scheduler --list   the jobs and when they run
"""

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from kx_platform import schedule

logger = logging.getLogger("kx_platform.schedule")
TICK_SECONDS = 15


class Command(BaseCommand):
    help = "Queue the periodic jobs (digests, scheduled publishing, clean-ups) when due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Queue what is due, then exit.")
        parser.add_argument("--list", action="store_true", dest="show", help="List the jobs.")

    def handle(self, *args, once=False, show=False, **options):
        try:
            jobs = schedule.jobs()
        except ValueError as error:
            raise CommandError(str(error)) from None
        if show:
            for job in jobs:
                when = f"every {job.every} s" if job.every else f"daily from {job.daily_at} UTC"
                self.stdout.write(f"{job.name}: {when}")
            return
        if once:
            self._tick()
            return
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        logger.info("Scheduler started: %s", ", ".join(job.name for job in jobs))
        while self.running:
            try:
                self._tick()
            except Exception:  # the database or cache is away: try again next tick
                logger.exception("The scheduler could not queue its jobs")
            close_old_connections()
            for _second in range(TICK_SECONDS):
                if not self.running:
                    break
                time.sleep(1)

    def _tick(self):
        for name in schedule.run_due():
            logger.info("Queued the periodic job %s", name)
            self.stdout.write(f"queued: {name}")

    def _stop(self, signum, frame):
        self.running = False
