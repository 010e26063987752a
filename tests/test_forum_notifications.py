"""Subscriptions, @mentions, on-site notifications, e-mail at once or in a daily
digest, and unsubscribe links that work without signing in."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from wagtail.users.models import UserProfile

from experts.forum import posting
from experts.forum.models import DigestItem, EmailFrequency, ForumMember, Subscription
from experts.forum.notifications import unsubscribe_token
from experts.models import Notification
from tests.conftest import signed_in
from tests.factories import UserFactory
from tests.forum_factories import category, thread, vetted_expert

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {"author": vetted_expert("fatima"), "replier": vetted_expert("omar")}


def test_a_mention_notifies_on_the_site_and_by_email(people, django_capture_on_commit_callbacks):
    created = thread(people["author"], title="Youth centres in the Sahel")
    with django_capture_on_commit_callbacks(execute=True):
        posting.reply(
            people["replier"], created, body="شكراً @fatima على هذه المبادرة", language="ar"
        )
    note = Notification.objects.get(user=people["author"])
    assert "mentioned you" in note.text and note.url.endswith("#post-2")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [people["author"].email]
    assert "/forum/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    # The mention shows as a mention on the page.
    html = Client().get(created.get_absolute_url()).content.decode()
    assert '<bdi class="mention" dir="ltr">@fatima</bdi>' in html


def test_mentions_in_code_and_email_addresses_are_not_mentions(
    people, django_capture_on_commit_callbacks
):
    created = thread(people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        posting.reply(
            people["replier"], created, body="Write to x@fatima.org or `@fatima`", language="en"
        )
    # The author is told as a subscriber of her thread, not as mentioned.
    texts = list(Notification.objects.filter(user=people["author"]).values_list("text", flat=True))
    assert texts and all("mentioned" not in t for t in texts)


def test_nobody_is_told_of_a_post_they_may_not_read(people, django_capture_on_commit_callbacks):
    member = UserFactory(username="outsider")
    created = thread(people["author"], slug="experts-room", title="Only for experts here")
    Subscription.objects.create(user=member, category=category("experts-room"))
    with django_capture_on_commit_callbacks(execute=True):
        posting.reply(people["replier"], created, body="Hello @outsider", language="en")
    assert not Notification.objects.filter(user=member).exists()


def test_category_subscribers_hear_of_new_threads(people, django_capture_on_commit_callbacks):
    follower = vetted_expert("follower")
    client = signed_in(follower)
    client.post(
        "/en/forum/subscribe/",
        {"target": "category", "object_id": category("pillar-4").pk, "subscribe": "on"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        thread(people["author"], slug="pillar-4", title="Fair trials for returnees")
    assert Notification.objects.filter(user=follower, text__contains="Fair trials").exists()


def test_the_daily_digest_collects_notifications(people, django_capture_on_commit_callbacks):
    ForumMember.objects.create(user=people["author"], email_frequency=EmailFrequency.DAILY)
    created = thread(people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        posting.reply(people["replier"], created, body="One", language="en")
        posting.reply(people["replier"], created, body="Two", language="en")
    assert not mail.outbox
    assert DigestItem.objects.filter(user=people["author"], sent_at=None).count() == 2
    call_command("forum_digest", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1 and "2 updates" in mail.outbox[0].subject
    assert not DigestItem.objects.filter(sent_at=None).exists()


def test_never_means_no_email_but_still_on_the_site(people, django_capture_on_commit_callbacks):
    client = signed_in(people["author"])
    client.post("/en/forum/preferences/", {"email_frequency": "never"})
    created = thread(people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        posting.reply(people["replier"], created, body="Hi @fatima", language="en")
    assert not mail.outbox
    assert Notification.objects.filter(user=people["author"]).exists()


def test_unsubscribe_links_work_without_signing_in(people):
    created = thread(people["author"])
    token = unsubscribe_token(people["author"], "thread", created.pk)
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/en/forum/unsubscribe/{token}/")
    assert page.status_code == 200 and created.title in page.content.decode()
    assert Subscription.objects.filter(user=people["author"], thread=created).exists()
    assert client.post(f"/en/forum/unsubscribe/{token}/").status_code == 200
    assert not Subscription.objects.filter(user=people["author"], thread=created).exists()
    email_token = unsubscribe_token(people["author"], "email")
    client.post(f"/en/forum/unsubscribe/{email_token}/")
    assert ForumMember.objects.get(user=people["author"]).email_frequency == "never"


def test_a_forged_unsubscribe_token_is_refused(people):
    token = unsubscribe_token(people["author"], "email")
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = Client().post(f"/en/forum/unsubscribe/{forged}/")
    assert response.status_code == 400
    assert not ForumMember.objects.filter(email_frequency="never").exists()


def choose_language(user, code):
    """The interface language a user chose (Wagtail's account setting)."""
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": code})


def test_emails_are_in_the_language_the_recipient_chose_not_the_posters(
    people, django_capture_on_commit_callbacks
):
    choose_language(people["author"], "ar")
    created = thread(people["author"], title="Youth centres in the Sahel")
    # The replier writes from the Spanish site: nothing of that reaches the recipient.
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        posting.reply(people["replier"], created, body="A reply in English", language="en")
    message = mail.outbox[0]
    assert "ردّ" in message.subject and "Youth centres in the Sahel" in message.subject
    assert "لإيقاف رسائل البريد الإلكتروني هذه" in message.body
    assert "Read it here" not in message.body and "/ar/forum/t/" in message.body
    note = Notification.objects.get(user=people["author"])
    assert note.text.startswith("ردّ") and note.url.startswith("/ar/")


def test_without_a_chosen_language_the_email_follows_the_threads_language(
    people, django_capture_on_commit_callbacks
):
    created = thread(people["author"], title="Réinsertion après la prison", language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        posting.reply(people["replier"], created, body="Merci pour ce fil", language="fr")
    message = mail.outbox[0]
    assert "a répondu dans" in message.subject and "/fr/forum/t/" in message.body


def test_the_daily_digest_is_in_the_recipients_language(people, django_capture_on_commit_callbacks):
    choose_language(people["author"], "ar")
    ForumMember.objects.create(user=people["author"], email_frequency=EmailFrequency.DAILY)
    created = thread(people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        posting.reply(people["replier"], created, body="One", language="en")
        posting.reply(people["replier"], created, body="Two", language="en")
    with translation.override("fr"):
        call_command("forum_digest", stdout=open("/dev/null", "w"))
    message = mail.outbox[0]
    assert "موجزك اليومي" in message.subject
    assert "ما جرى في منتدى خبراء KX" in message.body and message.body.count("ردّ") == 2
