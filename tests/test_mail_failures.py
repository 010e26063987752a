"""With the mail server down, no request fails: sign-up saves nothing and says so (the
same address can sign up again), the other account mails tell the member, and the
exchange, forum and workflow notifications are logged and skipped."""

import logging
import smtplib

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client

from experts.forum import posting
from experts.forum.models import DigestItem, EmailFrequency, ForumMember
from experts.forum.notifications import send_digests
from experts.models import ExchangeRequest, Notification
from tests.conftest import signed_in
from tests.expert_factories import ExpertProfileFactory
from tests.factories import PASSWORD, UserFactory
from tests.forum_factories import thread, vetted_expert

pytestmark = pytest.mark.django_db

SIGNUP = "/en/account/signup/"
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
SIGNUP_DATA = {
    "email": "hanan@ministry.example",
    "username": "hanan",
    "password1": "Tilapia-orbit-57",
    "password2": "Tilapia-orbit-57",
}


class RefusingMailBackend(BaseEmailBackend):
    """The mail server answers and refuses (an SMTP error)."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class UnreachableMailBackend(BaseEmailBackend):
    """No mail server at all (connection refused, an OSError)."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, email_messages):
        self.open()


BACKENDS = [
    f"{RefusingMailBackend.__module__}.RefusingMailBackend",
    f"{UnreachableMailBackend.__module__}.UnreachableMailBackend",
]


@pytest.fixture(params=BACKENDS, ids=["smtp-error", "connection-refused"])
def mail_down(request, settings):
    settings.MAILERS = {"default": {"BACKEND": request.param}}  # Django 6.1's mailers
    return settings


def test_sign_up_with_the_mail_down_saves_nothing_and_says_so(mail_down, caplog):
    client = Client()
    with caplog.at_level(logging.ERROR):
        response = client.post(SIGNUP, SIGNUP_DATA)
    assert response.status_code == 200
    html = response.content.decode()
    assert "We could not send the confirmation e-mail; nothing was saved" in html
    assert not get_user_model().objects.filter(username="hanan").exists()
    assert not EmailAddress.objects.filter(email="hanan@ministry.example").exists()
    assert "Sending the account e-mail" in caplog.text
    # The form keeps what was typed (but not the passwords).
    assert 'value="hanan@ministry.example"' in html

    # A few minutes later the mail server is back: the same address signs up.
    mail_down.MAILERS = LOCMEM
    response = client.post(SIGNUP, SIGNUP_DATA)
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="hanan").exists()
    assert [m.to for m in mail.outbox] == [["hanan@ministry.example"]]


def test_sign_up_failure_is_shown_in_the_readers_language(mail_down):
    response = Client().post("/ar/account/signup/", SIGNUP_DATA)
    assert response.status_code == 200
    assert 'lang="ar"' in response.content.decode()
    assert not get_user_model().objects.filter(username="hanan").exists()


def test_password_reset_with_the_mail_down_says_it_was_not_sent(mail_down, member):
    response = Client().post("/en/account/password/reset/", {"email": member.email})
    assert response.status_code == 200
    assert "We could not send the password reset e-mail" in response.content.decode()


def test_resending_the_confirmation_with_the_mail_down_says_it_was_not_sent(mail_down, member):
    client = signed_in(member)
    response = client.post(
        "/en/account/email/", {"action_add": "", "email": "second@ministry.example"}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "We could not send the e-mail" in html
    assert "Confirmation e-mail sent" not in html and "Confirmation email sent" not in html
    # The failed attempt did not use up the re-sending limit: "try again" tries again.
    response = client.post(
        "/en/account/email/",
        {"action_send": "", "email": "second@ministry.example"},
        follow=True,
    )
    assert response.status_code == 200
    assert "We could not send the e-mail" in response.content.decode()


def test_signing_in_unverified_with_the_mail_down_is_not_an_error(mail_down):
    user = UserFactory(username="unverified", verified=False)
    response = Client().post("/en/account/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code in (200, 302)


def test_an_exchange_request_goes_through_with_the_mail_down(
    mail_down, django_capture_on_commit_callbacks
):
    profile = ExpertProfileFactory()
    requester = UserFactory(username="policymaker")
    data = {
        "topic": "Prison staff training",
        "support_kind": "peer_exchange",
        "requesting_country": "JO",
        "language": "en",
        "start_date": "2026-03-01",
        "end_date": "2026-03-10",
        "message": "A study visit for our prison service.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(requester).post(f"/en/experts/{profile.pk}/request/", data)
    assert response.status_code == 302
    req = ExchangeRequest.objects.get()
    # Told on the site, whatever the mail.
    assert Notification.objects.filter(user=profile.user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(profile.user).post(
            f"/en/experts/requests/{req.pk}/transition/",
            {"to_state": "accepted", "share_email": "on", "note": "With pleasure."},
        )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == "accepted"


def test_forum_notifications_go_on_the_site_with_the_mail_down(
    mail_down, django_capture_on_commit_callbacks
):
    author = vetted_expert("fatima")
    replier = vetted_expert("omar")
    created = thread(author, title="Youth centres in the Sahel")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(replier).post(
            f"/en/forum/t/{created.pk}/reply/", {"body": "Thanks @fatima", "language": "en"}
        )
    assert response.status_code in (200, 302)
    assert Notification.objects.filter(user=author).exists()
    # The daily digest logs the failure and goes on.
    ForumMember.objects.update_or_create(
        user=author, defaults={"email_frequency": EmailFrequency.DAILY}
    )
    with django_capture_on_commit_callbacks(execute=True):
        posting.reply(replier, created, body="Another reply", language="en")
    assert DigestItem.objects.filter(user=author).exists()
    assert send_digests() == 0


def test_submitting_a_practice_for_moderation_with_the_mail_down(
    mail_down, expert_client, moderator
):
    from tests.test_moderation import submit_practice

    response = submit_practice(expert_client)
    assert response.status_code in (200, 302)
    from practices.models import GoodPracticePage

    page = GoodPracticePage.objects.get(slug="radio-dramas")
    assert page.current_workflow_state is not None
