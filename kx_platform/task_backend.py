"""The task backend production uses: django-tasks-db's database backend, which also
runs Wagtail's own tasks.

Tasks are rows of the main database (`django_tasks_db.DBTaskResult`), run by
`manage.py db_worker` on any host. A task enqueued inside a transaction is a row of that
transaction: it exists for the worker exactly when the data it reads is committed, and
not at all when the transaction rolls back (kx_platform.background.enqueue).

Wagtail 8 defines its tasks (reference index, image focal points, frontend cache) with the
`django_tasks` backport package, whose Task objects the worker refuses to import as
tasks of Django's own framework. This backend stores each of them as the KX task
`run_wagtail_task` with the backport task's path and arguments, so they run on the worker
too, with their priority, queue and time kept.
"""

from django_tasks.base import Task as BackportTask
from django_tasks_db.backend import DatabaseBackend as _DatabaseBackend


class DatabaseBackend(_DatabaseBackend):
    def enqueue(self, task, args, kwargs):
        if isinstance(task, BackportTask):
            from kx_platform.tasks import run_wagtail_task

            bridged = run_wagtail_task.using(
                priority=task.priority,
                queue_name=task.queue_name,
                run_after=task.run_after,
                backend=self.alias,
            )
            return super().enqueue(bridged, [task.module_path, list(args), dict(kwargs)], {})
        return super().enqueue(task, args, kwargs)
