"""The scheduler queues each periodic job once per slot, for the worker to run."""

import io
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kx_platform import schedule

pytestmark = pytest.mark.django_db


def queued(path=None):
    tasks = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    if path:
        tasks = tasks.filter(task_path=path)
    return [(t.task_path, t.args_kwargs["args"]) for t in tasks.order_by("enqueued_at")]


def at(hour, minute=0, day=2):
    return datetime(2026, 12, day, hour, minute, 30, tzinfo=UTC)


def test_each_job_is_queued_once_per_slot(task_worker):
    every_minute = ["heartbeat", "search_drain", "publish_scheduled"]
    assert schedule.run_due(at(2)) == every_minute  # before the daily jobs' times
    assert schedule.run_due(at(2)) == []  # the same minute: nothing again
    assert schedule.run_due(at(2, 1)) == every_minute
    assert schedule.run_due(at(5)) == every_minute + ["clearsessions", "prune_task_results"]
    assert schedule.run_due(at(7)) == every_minute + ["forum_digest"]
    assert "forum_digest" not in schedule.run_due(at(9))  # once a day
    assert "forum_digest" in schedule.run_due(at(6, day=3))  # the next day


def test_the_worker_runs_what_the_scheduler_queued(task_worker, settings):
    settings.MAILERS = {
        "default": {"BACKEND": "kx_platform.mail.QueuedEmailBackend"},
        "outgoing": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    from experts.forum.models import DigestItem
    from tests.factories import UserFactory

    member = UserFactory(username="digest-reader")
    from experts.forum.models import EmailFrequency, ForumMember

    ForumMember.objects.create(user=member, email_frequency=EmailFrequency.DAILY)
    DigestItem.objects.create(user=member, text="A reply", url="/en/forum/t/1/", language="en")
    schedule.run_due(at(7))
    task_worker()
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists()
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "digest" in mail.outbox[0].subject
    done = DBTaskResult.objects.filter(task_path="kx_platform.tasks.run_command")
    assert done.filter(status=TaskResultStatus.SUCCESSFUL).count() == 3


def test_the_command_queues_lists_and_refuses_a_bad_time(task_worker, settings):
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "queued: heartbeat" in out.getvalue()
    assert queued("kx_platform.tasks.heartbeat") == [("kx_platform.tasks.heartbeat", [])]
    out = io.StringIO()
    call_command("scheduler", "--list", stdout=out)
    assert "forum_digest: daily from 06:00:00 UTC" in out.getvalue()
    settings.KX_DIGEST_TIME = "six"
    with pytest.raises(CommandError, match="KX_DIGEST_TIME must be a time"):
        call_command("scheduler", "--once")
