"""The platform's own background tasks (each feature keeps its tasks in its `tasks.py`).

Wagtail 8's tasks (reference index, search index, image focal points) are declared with
the django-tasks backport's decorator, which makes them tasks of the configured backend's
class: with Django's own backends they are Django tasks, and the worker runs them too.
"""

import io

from django.tasks import task

from kx_platform import background


@task()
def heartbeat():
    """Enqueued every minute by the scheduler: an idle worker still shows it is alive."""
    background.record_heartbeat()


# The commands the scheduler may have the worker run (kx_platform.schedule).
COMMANDS = {
    "publish_scheduled": (),
    "clearsessions": (),
    "prune_db_task_results": ("--min-age-days", "7", "--failed-min-age-days", "30"),
}


@task()
def run_command(name):
    """Run one of the periodic management commands on the worker."""
    from django.core.management import call_command

    if name not in COMMANDS:
        raise ValueError(f"{name} is not a scheduled command")
    out = io.StringIO()
    call_command(name, *COMMANDS[name], stdout=out, stderr=out)
    return {"output": out.getvalue()[-2000:]}
