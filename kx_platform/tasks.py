"""The platform's own background tasks (each feature keeps its tasks in its `tasks.py`).

Wagtail 8's tasks (reference index, search index, image focal points) are declared with
the django-tasks backport's decorator, which makes them tasks of the configured backend's
class: with Django's own backends they are Django tasks, and the worker runs them too.
"""

from django.tasks import task

from kx_platform import background


@task()
def heartbeat():
    """Enqueued every minute by the scheduler: an idle worker still shows it is alive."""
    background.record_heartbeat()
