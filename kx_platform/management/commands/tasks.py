"""What the background worker is doing, and running failed tasks again.

    manage.py tasks status           counts by state, the queue's lag, the worker's
                                     heartbeat, and the most recent failures
    manage.py tasks status --check   the same, exiting 1 when a task failed or the queue
                                     lags (for monitoring)
    manage.py tasks retry ID [ID …]  queue failed tasks again, with the same arguments
    manage.py tasks retry --failed   queue every failed task again

A retried task is a new task with the arguments of the failed one, which is then removed,
in one transaction: nothing is lost and nothing runs twice. A retried e-mail starts its
delivery attempts again. Arguments are never printed (e-mails carry sign-in links).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone

from kx_platform import background
from kx_platform.health import WORKER_MAX_LAG_SECONDS

RECENT_FAILURES = 10
# Tasks whose arguments change when they are retried by hand.
RESTART = {
    # A mail's attempt count starts again (kx_platform.mail.send_email(message, attempt)).
    "kx_platform.mail.send_email": lambda args, kwargs: (args[:1], {}),
}


def _results():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.all()


def _first_line(text):
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


class Command(BaseCommand):
    help = "Show the background worker's state, or run failed tasks again."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        status = actions.add_parser("status", help="Counts, lag, heartbeat, recent failures.")
        status.add_argument(
            "--check",
            action="store_true",
            help="Exit 1 when a task has failed or the queue lags (for monitoring).",
        )
        retry = actions.add_parser("retry", help="Queue failed tasks again.")
        retry.add_argument("ids", nargs="*", help="Ids of failed tasks (from `tasks status`).")
        retry.add_argument("--failed", action="store_true", help="Every failed task.")

    def handle(self, *args, action, **options):
        if not background.stores_in_database():
            raise CommandError(
                "Tasks are not stored (KX_TASKS_BACKEND is not 'database'): they run at once."
            )
        if action == "status":
            return self.status(options["check"])
        return self.retry(options["ids"], options["failed"])

    def status(self, check):
        now = timezone.now()
        results = _results()
        due, lag = background.queue_lag()
        waiting = results.filter(status=TaskResultStatus.READY).count()
        counts = {
            "due now": due,
            "waiting for a later time (retries)": waiting - due,
            "running": results.filter(status=TaskResultStatus.RUNNING).count(),
            "done": results.filter(status=TaskResultStatus.SUCCESSFUL).count(),
            "failed": results.filter(status=TaskResultStatus.FAILED).count(),
        }
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(f"oldest due task waiting: {round(lag)} s")
        seen = background.last_heartbeat()
        heartbeat = "never" if seen is None else f"{round(seen)} s ago"
        self.stdout.write(f"worker last seen: {heartbeat}")
        failed = results.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")
        for result in failed[:RECENT_FAILURES]:
            age = round((now - result.finished_at).total_seconds()) if result.finished_at else 0
            error = _first_line(result.traceback) or result.exception_class_path
            self.stdout.write(f"failed {result.id} {result.task_path} {age} s ago: {error}")
        if check and (counts["failed"] or lag > WORKER_MAX_LAG_SECONDS):
            raise CommandError(
                f"{counts['failed']} failed task(s), oldest due task waiting {round(lag)} s"
            )

    def retry(self, ids, every_failed):
        if not ids and not every_failed:
            raise CommandError("Name the failed tasks to retry, or --failed for all of them.")
        failed = _results().filter(status=TaskResultStatus.FAILED)
        if ids:
            try:
                chosen = list(failed.filter(pk__in=ids))
            except ValidationError as error:
                raise CommandError(f"Not a task id: {error.messages[0]}") from None
            missing = set(ids) - {str(result.pk) for result in chosen}
            if missing:
                raise CommandError(f"No failed task with id {', '.join(sorted(missing))}")
        else:
            chosen = list(failed.order_by("finished_at"))
        for result in chosen:
            try:
                task = result.task
            except ImportError:
                raise CommandError(f"{result.id}: its task {result.task_path} is gone") from None
            args = list(result.args_kwargs["args"])
            kwargs = dict(result.args_kwargs["kwargs"])
            if result.task_path in RESTART:
                args, kwargs = RESTART[result.task_path](args, kwargs)
            with transaction.atomic():
                again = task.using(run_after=None).enqueue(*args, **kwargs)
                result.delete()
            self.stdout.write(f"queued again: {result.task_path} (new id {again.id})")
        self.stdout.write(f"{len(chosen)} task(s) queued again")
