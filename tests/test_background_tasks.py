"""Background work as production runs it: tasks stored in the database and run by the
worker (the task_worker fixture runs what is due, as `manage.py db_worker` does).

Every e-mail is a task: a request only queues it, a rolled-back request sends nothing, a
mail server that is down delays mails without losing one, and a failure that will not
pass is listed by `manage.py tasks status` and run again by `manage.py tasks retry`."""

import io
import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.mail import send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from experts.forum.models import Subscription
from kx_platform import background
from tests.conftest import signed_in
from tests.forum_factories import category, thread, vetted_expert

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class MailServerDown(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class NoSuchMailbox(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such mailbox")})


@pytest.fixture
def queued_mail(settings, task_worker):
    """The default mailer queues, as in production (the test runner replaces every
    mailer with the in-memory one, so the queue is put back here)."""
    settings.MAILERS = {
        "default": {"BACKEND": "kx_platform.mail.QueuedEmailBackend"},
        "outgoing": {"BACKEND": LOCMEM},
    }
    settings.KX_MAIL_RETRY_BASE_SECONDS = 60
    settings.KX_MAIL_RETRY_ATTEMPTS = 3
    return task_worker


def mail_tasks(status=None):
    tasks = DBTaskResult.objects.filter(task_path="kx_platform.mail.send_email")
    return tasks.filter(status=status) if status else tasks


def outgoing(settings, backend):
    settings.MAILERS = {**settings.MAILERS, "outgoing": {"BACKEND": backend}}


def make_due(tasks):
    tasks.update(run_after=timezone.now() - timedelta(seconds=1))


def test_a_request_only_queues_the_mail_and_the_worker_sends_it(queued_mail):
    send_mail("Subject", "Body", None, ["hanan@ministry.example"])
    assert mail.outbox == [] and mail_tasks(TaskResultStatus.READY).count() == 1
    queued_mail()
    assert [m.to for m in mail.outbox] == [["hanan@ministry.example"]]
    assert mail.outbox[0].subject == "Subject" and mail.outbox[0].body == "Body"
    assert mail_tasks(TaskResultStatus.SUCCESSFUL).count() == 1


def test_a_rolled_back_request_sends_nothing(queued_mail):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_mail("Subject", "Body", None, ["hanan@ministry.example"])
        raise RuntimeError("the request failed after queuing its mail")
    assert not mail_tasks().exists()
    queued_mail()
    assert mail.outbox == []


def test_headers_and_html_survive_the_queue(queued_mail):
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(
        "Réunion", "Texte", None, ["a@example.org"], headers={"List-Unsubscribe": "<https://x>"}
    )
    message.attach_alternative("<p>Texte</p>", "text/html")
    message.attach("notes.pdf", b"%PDF-1.7 notes", "application/pdf")
    message.send()
    queued_mail()
    sent = mail.outbox[0]
    assert sent.extra_headers["List-Unsubscribe"] == "<https://x>"
    assert sent.alternatives[0].content == "<p>Texte</p>"
    assert sent.attachments[0].content == b"%PDF-1.7 notes"


def test_mail_server_down_delays_the_mail_and_it_goes_out_when_the_server_is_back(
    queued_mail, settings
):
    outgoing(settings, "tests.test_background_tasks.MailServerDown")
    send_mail("Subject", "Body", None, ["hanan@ministry.example"])
    queued_mail()
    retry = mail_tasks(TaskResultStatus.READY).get()
    assert retry.args_kwargs["args"][1] == 1  # the second attempt
    assert retry.run_after > timezone.now() + timedelta(seconds=50)  # after a delay
    assert not mail_tasks(TaskResultStatus.FAILED).exists()
    assert queued_mail() == 0  # not due yet
    outgoing(settings, LOCMEM)  # the server is back
    make_due(mail_tasks(TaskResultStatus.READY))
    queued_mail()
    assert [m.to for m in mail.outbox] == [["hanan@ministry.example"]]
    assert not mail_tasks(TaskResultStatus.READY).exists()


def test_the_delays_grow_and_the_last_attempt_fails_visibly(queued_mail, settings):
    outgoing(settings, "tests.test_background_tasks.MailServerDown")
    send_mail("Subject", "Body", None, ["hanan@ministry.example"])
    delays = []
    for _attempt in range(settings.KX_MAIL_RETRY_ATTEMPTS):
        before = timezone.now()
        queued_mail()
        waiting = mail_tasks(TaskResultStatus.READY).first()
        if waiting is None:
            break
        delays.append(round((waiting.run_after - before).total_seconds() / 60))
        make_due(mail_tasks(TaskResultStatus.READY))
    assert delays == [1, 2]  # 60 s x 2^attempt
    assert mail_tasks(TaskResultStatus.FAILED).count() == 1


def test_a_permanent_refusal_fails_at_once_and_can_be_retried(queued_mail, settings):
    outgoing(settings, "tests.test_background_tasks.NoSuchMailbox")
    send_mail("Subject", "Body", None, ["x@example.org"])
    queued_mail()
    failed = mail_tasks(TaskResultStatus.FAILED).get()
    out = io.StringIO()
    call_command("tasks", "status", stdout=out)
    report = out.getvalue()
    assert "failed: 1" in report
    assert f"failed {failed.id} kx_platform.mail.send_email" in report
    assert "No such mailbox" in report
    assert "Body" not in report  # never the message
    with pytest.raises(CommandError, match="1 failed task"):
        call_command("tasks", "status", "--check", stdout=io.StringIO())

    outgoing(settings, LOCMEM)  # the address was fixed
    out = io.StringIO()
    call_command("tasks", "retry", str(failed.id), stdout=out)
    assert "1 task(s) queued again" in out.getvalue()
    assert not DBTaskResult.objects.filter(pk=failed.pk).exists()
    again = mail_tasks(TaskResultStatus.READY).get()
    assert again.args_kwargs["args"][1:] == []  # attempts start again
    queued_mail()
    assert len(mail.outbox) == 1


def test_retry_refuses_unknown_ids_with_one_line(queued_mail):
    with pytest.raises(CommandError, match="No failed task with id"):
        call_command("tasks", "retry", "00000000-0000-0000-0000-000000000000")
    with pytest.raises(CommandError, match="Not a task id"):
        call_command("tasks", "retry", "not-a-uuid")
    with pytest.raises(CommandError, match="--failed"):
        call_command("tasks", "retry")


def test_wagtails_own_tasks_run_on_the_worker(task_worker):
    from wagtail.models import Page

    from tests.factories import PracticeFactory

    practice = PracticeFactory(title="Prison mentors")
    practice.save_revision().publish()
    assert Page.objects.filter(pk=practice.pk).exists()
    wagtails = DBTaskResult.objects.filter(task_path="wagtail.tasks.update_reference_index_task")
    assert wagtails.filter(status=TaskResultStatus.READY).exists()  # not run in the request
    task_worker()
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists()
    assert wagtails.filter(status=TaskResultStatus.SUCCESSFUL).exists()


def test_readyz_reports_a_worker_that_does_not_keep_up(task_worker, client):
    assert client.get("/readyz").json()["checks"]["worker"]["ok"]
    send_mail("Subject", "Body", None, ["a@example.org"])  # tests' mailer: not queued
    from kx_platform.tasks import heartbeat

    heartbeat.enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False and worker["waiting"] == 1
    assert worker["oldest_waiting_seconds"] >= 600
    task_worker()
    worker = client.get("/readyz").json()["checks"]["worker"]
    assert worker["ok"] and worker["heartbeat_seconds_ago"] <= 5


# --- The forum's fan-out: one task per post, one task per e-mail ---------------------------


def test_a_reply_to_400_subscribers_neither_mails_nor_notifies_in_the_request(
    queued_mail, django_assert_max_num_queries
):
    author = vetted_expert("fatima")
    replier = vetted_expert("omar")
    created = thread(author, title="Youth centres in the Sahel")
    queued_mail()  # the new thread's announcement
    password = make_password("not-used")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"member{n}", email=f"member{n}@example.org", password=password)
        for n in range(400)
    )
    Subscription.objects.bulk_create(
        Subscription(user=user, category=category("general")) for user in users
    )
    client = signed_in(replier)
    with django_assert_max_num_queries(60):
        response = client.post(
            f"/en/forum/t/{created.pk}/reply/",
            {"body": "Our experience in Niamey", "language": "en"},
        )
    assert response.status_code == 302
    assert mail.outbox == []
    announcements = DBTaskResult.objects.filter(task_path="experts.forum.tasks.announce_post")
    assert announcements.filter(status=TaskResultStatus.READY).count() == 1
    queued_mail()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert len(recipients) == 401  # the 400 and the thread's author
    assert recipients.count("member7@example.org") == 1
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists()


def test_a_post_hidden_before_the_worker_comes_is_not_announced(queued_mail):
    from experts.forum.models import Post, PostState

    author = vetted_expert("fatima")
    created = thread(author)
    queued_mail()
    post = created.posts.get()
    Post.objects.filter(pk=post.pk).update(state=PostState.HIDDEN)
    from experts.forum.tasks import announce_post

    background.enqueue(announce_post, post.pk)
    queued_mail()
    result = DBTaskResult.objects.filter(task_path="experts.forum.tasks.announce_post").last()
    assert result.return_value == {"announced": False}
