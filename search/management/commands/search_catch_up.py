"""Bring this host's embedded search index up to date before it serves.

    manage.py search_catch_up

Rebuilds the index file when it is missing or empty while the database has published
practices, or when it missed outbox entries another host's index took; otherwise applies
the pending outbox entries (search.readiness.catch_up). gunicorn's master runs it before
it forks its workers (kx_platform/gunicorn.conf.py); a worker host can run it before
`manage.py db_worker` (`manage.py search_catch_up && manage.py db_worker`). It runs the
search system checks first: KX_APP_HOSTS above 1 without ELASTICSEARCH_URL stops it
(exit status 1); a catch-up that fails (the database down) exits with 3.
"""

import logging

from django.core.management.base import BaseCommand, CommandError

from search.readiness import catch_up

logger = logging.getLogger("search.catch_up")

# The exit status when the catch-up itself failed (gunicorn starts anyway: /readyz tells);
# 1 is Django's, for refused system checks and settings that do not load.
FAILED = 3


class Command(BaseCommand):
    help = (
        "Bring this host's embedded search index up to date: rebuild it when it is missing, "
        "empty or behind, else apply the pending outbox entries."
    )
    requires_system_checks = ["kx_search"]

    def handle(self, *args, **options):
        try:
            said = catch_up()
        except Exception as error:
            logger.exception("search_catch_up: the embedded index was not caught up")
            raise CommandError(
                f"The embedded index was not caught up: {type(error).__name__}: {error}",
                returncode=FAILED,
            ) from error
        self.stdout.write(said)
