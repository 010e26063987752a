"""Flags, the moderation queue, thread and member actions, and the log."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from experts.forum import moderation, posting
from experts.forum.models import Flag, ModerationAction, ModerationKind, PostState, Thread
from experts.models import Notification
from tests.conftest import signed_in
from tests.factories import UserFactory
from tests.forum_factories import category, thread, vetted_expert

pytestmark = pytest.mark.django_db


@pytest.fixture
def discussion():
    author = vetted_expert("author")
    created = thread(author, title="Counter-narratives online")
    reply = posting.reply(vetted_expert("replier"), created, body="A doubtful claim", language="en")
    return created, reply


def flag(user, post, reason="offensive"):
    return signed_in(user).post(f"/en/forum/p/{post.pk}/flag/", {"reason": reason, "note": "Look"})


def test_three_flags_from_distinct_vetted_users_hide_a_post(discussion):
    created, reply = discussion
    for name in ("f1", "f2"):
        assert flag(vetted_expert(name), reply).status_code == 302
    reply.refresh_from_db()
    assert reply.state == PostState.PUBLISHED and reply.flag_count == 2
    assert flag(vetted_expert("f3"), reply).status_code == 302
    reply.refresh_from_db()
    assert reply.state == PostState.HIDDEN
    assert ModerationAction.objects.filter(kind=ModerationKind.AUTO_HIDE, post=reply).exists()
    assert "A doubtful claim" not in Client().get(created.get_absolute_url()).content.decode()


def test_flags_from_members_or_the_same_user_do_not_hide(discussion):
    created, reply = discussion
    for n in range(3):
        flag(UserFactory(username=f"member{n}"), reply)
    expert = vetted_expert("same")
    assert flag(expert, reply).status_code == 302
    response = flag(expert, reply)
    assert response.status_code == 400 and "already flagged" in response.content.decode()
    reply.refresh_from_db()
    assert reply.state == PostState.PUBLISHED and reply.flag_count == 4


def test_flagging_is_rate_limited(discussion):
    created, _reply = discussion
    flagger = vetted_expert("busy")
    posts = [
        posting.reply(vetted_expert(f"writer{n}"), created, body=f"Post {n}", language="en")
        for n in range(moderation.FLAG_RATE_LIMIT + 1)
    ]
    codes = [flag(flagger, p).status_code for p in posts]
    assert codes[:-1] == [302] * moderation.FLAG_RATE_LIMIT and codes[-1] == 400


def test_the_moderator_restores_a_hidden_post_from_the_queue(discussion, moderator):
    created, reply = discussion
    for name in ("g1", "g2", "g3"):
        flag(vetted_expert(name), reply)
    client = signed_in(moderator)
    queue = client.get("/en/forum/moderation/")
    assert queue.status_code == 200 and "A doubtful claim" in queue.content.decode()
    response = client.post(
        f"/en/forum/moderation/p/{reply.pk}/",
        {"action": "restore", "reason": "", "next_queue": "1"},
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.state == PostState.PUBLISHED and reply.flag_count == 0
    assert not Flag.objects.filter(post=reply, resolved_at__isnull=True).exists()
    assert ModerationAction.objects.filter(kind="restore", moderator=moderator).exists()


def test_hiding_needs_a_reason_and_is_logged(discussion, moderator):
    _created, reply = discussion
    with pytest.raises(ValidationError):
        moderation.moderate_post(moderator, reply, "hide", "")
    moderation.moderate_post(moderator, reply, "hide", "Unverified accusation")
    entry = ModerationAction.objects.get(kind="hide")
    assert entry.reason == "Unverified accusation" and entry.target_user == reply.author


def test_approving_a_new_members_post_publishes_the_thread(moderator):
    member = UserFactory(username="fresh")
    created = thread(member, title="A policymaker asks")
    opening = created.posts.get()
    signed_in(moderator).post(f"/en/forum/moderation/p/{opening.pk}/", {"action": "approve"})
    created.refresh_from_db()
    assert created.is_visible
    assert Client().get(created.get_absolute_url()).status_code == 200
    member.forum_member.refresh_from_db()
    assert member.forum_member.approved_posts == 1


def test_lock_pin_and_move_a_thread(discussion, moderator):
    created, _reply = discussion
    client = signed_in(moderator)
    url = f"/en/forum/moderation/t/{created.pk}/"
    client.post(url, {"action": "lock", "reason": ""})
    client.post(url, {"action": "pin", "reason": ""})
    target = category("pillar-2")
    client.post(url, {"action": "move", "category": target.pk, "reason": "Belongs to pillar II"})
    created.refresh_from_db()
    assert created.is_locked and created.is_pinned and created.category == target
    kinds = set(ModerationAction.objects.filter(thread=created).values_list("kind", flat=True))
    assert {"lock", "pin", "move"} <= kinds


def test_pinned_threads_come_first_in_their_category(moderator):
    author = vetted_expert("pinner")
    old = thread(author, title="An older pinned thread")
    thread(author, title="A newer ordinary thread", body="Other words")
    moderation.moderate_thread(moderator, old, "pin")
    html = Client().get("/en/forum/c/general/").content.decode()
    assert html.index("An older pinned thread") < html.index("A newer ordinary thread")


def test_warn_and_suspend_a_member(moderator):
    target = vetted_expert("rude")
    client = signed_in(moderator)
    url = f"/en/forum/moderation/u/{target.pk}/"
    client.post(url, {"action": "warn", "reason": "Be courteous"})
    client.post(url, {"action": "suspend", "days": 7, "reason": "Insults again"})
    target.forum_member.refresh_from_db()
    assert target.forum_member.warnings == 1 and target.forum_member.suspended_until
    response = signed_in(target).post(
        "/en/forum/c/general/new/", {"title": "I am back again", "body": "Hello", "language": "en"}
    )
    assert response.status_code == 403
    assert list(
        ModerationAction.objects.filter(target_user=target).values_list("kind", flat=True)
    ) == ["suspend", "warn"]
    log = client.get("/en/forum/moderation/log/")
    assert log.status_code == 200 and "Insults again" in log.content.decode()


def test_only_moderators_reach_the_queue_and_actions(discussion):
    created, reply = discussion
    client = signed_in(vetted_expert("nosy"))
    assert client.get("/en/forum/moderation/").status_code == 404
    client.post(f"/en/forum/moderation/p/{reply.pk}/", {"action": "hide", "reason": "x"})
    client.post(f"/en/forum/moderation/t/{created.pk}/", {"action": "lock"})
    reply.refresh_from_db()
    assert reply.state == PostState.PUBLISHED
    assert not Thread.objects.get(pk=created.pk).is_locked
    assert not ModerationAction.objects.exists()


def test_moderators_are_told_when_flags_hide_a_post(discussion, moderator):
    _created, reply = discussion
    for name in ("h1", "h2"):
        flag(vetted_expert(name), reply)
    assert not Notification.objects.filter(user=moderator).exists()
    flag(vetted_expert("h3"), reply)
    note = Notification.objects.get(user=moderator)
    assert "hidden after 3 flags" in note.text and "Counter-narratives online" in note.text
    assert note.url == f"/en/forum/moderation/p/{reply.pk}/"
    assert signed_in(moderator).get(note.url).status_code == 200


def test_moderators_are_told_when_a_new_members_post_waits_for_approval(moderator):
    member = UserFactory(username="newcomer")
    created = thread(member, title="A policymaker asks")
    note = Notification.objects.get(user=moderator)
    assert "waits for approval" in note.text and "A policymaker asks" in note.text
    assert note.url == f"/en/forum/moderation/p/{created.posts.get().pk}/"
    reply = posting.reply(member, created, body="And a follow-up question", language="en")
    assert reply.state == PostState.PENDING
    assert Notification.objects.filter(user=moderator, url__endswith=f"/p/{reply.pk}/").exists()
    # Members who do not moderate hear nothing of it.
    assert not Notification.objects.exclude(user=moderator).exists()
