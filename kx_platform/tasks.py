"""The platform's own background tasks (each feature keeps its tasks in its `tasks.py`)."""

import logging

from django.core.exceptions import SuspiciousOperation
from django.tasks import task
from django.utils.module_loading import import_string
from django_tasks.base import Task as BackportTask

from kx_platform import background

logger = logging.getLogger(__name__)


@task()
def run_wagtail_task(path, args, kwargs):
    """Run one of Wagtail's tasks (kx_platform.task_backend)."""
    wagtail_task = import_string(path)
    if not isinstance(wagtail_task, BackportTask):
        raise SuspiciousOperation(f"{path} is not a task")
    return wagtail_task.call(*args, **kwargs)


@task()
def heartbeat():
    """Enqueued every minute by the scheduler: an idle worker still shows it is alive."""
    background.record_heartbeat()
