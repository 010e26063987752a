"""Deleting an account keeps what others rely on, from "a former member"; the export holds
every app's part; one pipeline (kx_platform.accounts) runs every part in one transaction."""

import json

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.utils import timezone

from experts.account_data import delete_account, export_user_data
from experts.forum import moderation, posting
from experts.forum.models import (
    Flag,
    ForumMember,
    ModerationAction,
    Post,
    PostState,
    Subscription,
    Thread,
)
from experts.vetting import decide
from kx_platform import accounts
from practices.models import GuidebookComment
from search.documents import DiscussionDocument
from tests.conftest import drain_search, signed_in
from tests.expert_factories import ExpertProfileFactory
from tests.factories import UserFactory
from tests.forum_factories import category, thread, vetted_expert
from tests.guidebook_factories import make_edition

pytestmark = pytest.mark.django_db

REPLY = "Start with the families: quokkareply works in Mombasa."


@pytest.fixture
def conversation():
    """A starts a thread, B answers it (B's reply is the accepted answer)."""
    a = vetted_expert("amina")
    b = vetted_expert("bashir")
    started = thread(a, title="Reintegration of returnees", body="Where do we begin?")
    answer = posting.reply(b, started, body=REPLY, language="en")
    posting.set_accepted_answer(a, started, answer)
    return a, b, started, answer


def test_deleting_the_threads_author_keeps_the_thread_and_the_replies_of_others(conversation):
    a, b, started, answer = conversation
    a_pk = a.pk

    delete_account(a)

    assert not get_user_model().objects.filter(pk=a_pk).exists()
    started.refresh_from_db()
    answer.refresh_from_db()
    assert started.author is None and started.is_visible
    assert started.accepted_answer_id == answer.pk
    assert answer.author == b and answer.body == REPLY
    opening = Post.objects.get(thread=started, number=1)
    assert opening.author is None and opening.state == PostState.PUBLISHED


def test_a_former_member_is_shown_on_the_thread_page_and_the_forum_pages(conversation):
    a, b, started, answer = conversation
    delete_account(a)
    client = Client()
    page = client.get(started.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "a former member" in html and REPLY in html
    assert "amina" not in html
    for url in ("/en/forum/", f"/en/forum/c/{category().slug}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Reintegration of returnees" in body and "a former member" in body, url


def test_the_former_member_is_named_in_the_readers_language(conversation):
    a, _b, started, _answer = conversation
    delete_account(a)
    for language, name in (("fr", "un ancien membre"), ("ar", "عضو سابق")):
        html = Client().get(f"/{language}/forum/t/{started.pk}/").content.decode()
        assert "Reintegration of returnees" in html and name in html, language


def test_search_keeps_the_thread_with_the_replies_of_others(conversation):
    a, _b, started, _answer = conversation
    drain_search()
    delete_account(a)
    drain_search()
    documents = DiscussionDocument.prepare(Thread.objects.get(pk=started.pk))
    assert any("quokkareply" in d["body"] for d in documents)
    hits = Client().get("/api/v1/search?q=quokkareply&type=discussion").json()["hits"]
    assert [h["id"] for h in hits] == [started.pk]


def test_deleting_a_replier_keeps_their_reply_as_a_former_members(conversation, moderator):
    _a, b, started, answer = conversation
    delete_account(b)
    answer.refresh_from_db()
    assert answer.author is None and answer.body == REPLY
    html = Client().get(started.get_absolute_url()).content.decode()
    assert REPLY in html and "a former member" in html and "bashir" not in html
    # The moderators' pages still open on a former member's post.
    staff = signed_in(moderator)
    moderation.flag_post(vetted_expert("reader"), answer, "off_topic")
    queue = staff.get("/en/forum/moderation/")
    assert queue.status_code == 200 and "a former member" in queue.content.decode()
    moderation.moderate_post(moderator, answer, "hide", reason="Checking")
    answer.refresh_from_db()
    assert answer.state == PostState.HIDDEN
    for url in (f"/en/forum/moderation/p/{answer.pk}/", "/en/forum/moderation/log/"):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert "a former member" in response.content.decode(), url


def test_a_former_members_pending_messages_go_their_published_ones_stay(moderator):
    newcomer = vetted_expert("newcomer")
    veteran = vetted_expert("veteran")
    published = thread(veteran, title="Open thread")
    own = thread(newcomer, title="My own question")
    pending = posting.reply(newcomer, published, body="Waiting reply", language="en")
    Post.objects.filter(pk=pending.pk).update(state=PostState.PENDING)
    Post.objects.filter(thread=own).update(state=PostState.PENDING)
    Thread.objects.filter(pk=own.pk).update(is_visible=False)
    kept = posting.reply(newcomer, published, body="A published reply", language="en")

    delete_account(newcomer)

    assert not Post.objects.filter(pk=pending.pk).exists()
    assert not Thread.objects.filter(pk=own.pk).exists()
    kept.refresh_from_db()
    assert kept.author is None
    published.refresh_from_db()
    assert published.reply_count == 1


def test_flags_and_the_moderation_log_outlive_the_accounts(conversation, moderator):
    a, b, started, answer = conversation
    flagger = vetted_expert("flagger")
    moderation.flag_post(flagger, answer, "off_topic", note="Not about returnees")
    moderation.moderate_thread(moderator, started, "lock", reason="Enough said")
    flag_pk = Flag.objects.get().pk

    delete_account(flagger)

    flag = Flag.objects.get(pk=flag_pk)
    assert flag.user is None and flag.note == "Not about returnees"
    # A moderator's account deleted by an administrator: the log stays, from a former
    # member (not "the platform", which only hides posts after flags).
    moderator_pk = moderator.pk
    accounts.delete_account(moderator)
    entry = ModerationAction.objects.get(kind="lock")
    assert entry.moderator is None and not entry.by_the_platform
    other_moderator = UserFactory(username="second_moderator", group="Moderators", totp=True)
    log = signed_in(other_moderator).get("/en/forum/moderation/log/").content.decode()
    assert "a former member" in log and "the platform" not in log
    assert not get_user_model().objects.filter(pk=moderator_pk).exists()


def test_vetting_history_outlives_the_moderators_account(moderator):
    profile = ExpertProfileFactory()
    decide(profile, moderator, "suspend", reason="Checking references")
    accounts.delete_account(moderator)
    decision = profile.decisions.get()
    assert decision.moderator is None and decision.reason == "Checking references"


def test_guidebook_comments_stay_from_a_former_member(expert):
    edition = make_edition(publish=False)
    comment = GuidebookComment.objects.create(
        guidebook=edition, target_label="Chapter 1", author=expert, body="Add the Sahel cases."
    )
    exported = export_user_data(expert)["guidebook_comments"]
    assert exported == [
        {
            "edition": edition.title,
            "about": "Chapter 1",
            "comment": "Add the Sahel cases.",
            "written": comment.created_at.isoformat(),
            "status": "open",
            "resolution": "",
            "resolved_at": None,
        }
    ]
    delete_account(expert)
    comment.refresh_from_db()
    assert comment.author is None and comment.body == "Add the Sahel cases."


def test_export_has_the_forum_threads_posts_subscriptions_and_preferences(conversation):
    a, b, started, answer = conversation
    ForumMember.objects.update_or_create(user=b, defaults={"email_frequency": "daily"})
    Subscription.objects.create(user=b, category=category("general"))
    response = signed_in(b).get("/en/experts/account/data.json")
    assert response.status_code == 200
    forum = json.loads(response.content)["forum"]
    assert forum["preferences"]["email_frequency"] == "daily"
    assert [p["message"] for p in forum["posts"]] == [REPLY]
    assert forum["posts"][0]["thread"] == "Reintegration of returnees"
    assert forum["threads"] == []
    kinds = sorted((s["kind"], s["to"]) for s in forum["subscriptions"])
    assert ("thread", "Reintegration of returnees") in kinds
    assert any(kind == "category" for kind, _to in kinds)
    own = export_user_data(a)["forum"]
    assert [t["title"] for t in own["threads"]] == ["Reintegration of returnees"]
    assert [p["number"] for p in own["posts"]] == [1]


def test_what_was_only_theirs_goes_with_the_account(conversation):
    _a, b, started, _answer = conversation
    ForumMember.objects.update_or_create(user=b, defaults={"email_frequency": "daily"})
    assert Subscription.objects.filter(user=b).exists()
    b_pk = b.pk
    delete_account(b)
    assert not Subscription.objects.filter(user_id=b_pk).exists()
    assert not ForumMember.objects.filter(user_id=b_pk).exists()


# --- The pipeline ----------------------------------------------------------------------


def test_every_app_registers_its_part():
    names = [part.name for part in accounts.account_parts()]
    for name in ("account", "practices", "guidebook", "exchanges", "expert_profile", "forum"):
        assert name in names
    # The exchanges are closed while the expert profile still exists.
    assert names.index("exchanges") < names.index("expert_profile")


def test_each_registered_part_is_called(member):
    called = []
    try:
        accounts.register_account_part(
            "spy",
            export=lambda user: {"spy": called.append(("export", user.pk)) or "seen"},
            delete=lambda user: called.append(("delete", user.pk)),
        )
        original = {p.name: p for p in accounts.account_parts()}
        for part in original.values():
            if part.name == "spy":
                continue
            accounts.register_account_part(
                part.name,
                export=_spy(part.export, part.name, "export", called),
                delete=_spy(part.delete, part.name, "delete", called),
            )
        data = export_user_data(member)
        assert data["spy"] == "seen"
        pk = member.pk
        delete_account(member)
    finally:
        accounts.unregister_account_part("spy")
        for part in original.values():
            if part.name != "spy":
                accounts.register_account_part(part.name, export=part.export, delete=part.delete)
    exported = {name for kind, name in called if kind == "export" and isinstance(name, str)}
    deleted = {name for kind, name in called if kind == "delete" and isinstance(name, str)}
    assert exported == {p.name for p in original.values() if p.export and p.name != "spy"}
    assert deleted == {p.name for p in original.values() if p.delete and p.name != "spy"}
    assert ("delete", pk) in called and ("export", pk) in called


def _spy(function, name, kind, called):
    if function is None:
        return None

    def spied(user):
        called.append((kind, name))
        return function(user)

    return spied


def test_a_failing_part_leaves_everything_as_it_was(conversation):
    a, b, started, answer = conversation
    profile_pk = a.expert_profile.pk

    def fail(user):
        raise RuntimeError("the mail archive is unreachable")

    accounts.register_account_part("failing", delete=fail)
    try:
        with pytest.raises(RuntimeError):
            delete_account(a)
    finally:
        accounts.unregister_account_part("failing")
    assert get_user_model().objects.filter(pk=a.pk).exists()
    assert Thread.objects.get(pk=started.pk).author_id == a.pk
    assert Subscription.objects.filter(user=a).exists()
    assert a.expert_profile.__class__.objects.filter(pk=profile_pk).exists()


def test_two_parts_may_not_export_the_same_section(member):
    accounts.register_account_part("duplicate", export=lambda user: {"forum": []})
    try:
        with pytest.raises(ValueError):
            export_user_data(member)
    finally:
        accounts.unregister_account_part("duplicate")


# --- Every foreign key to a user, decided ----------------------------------------------

# (app label, model, field): what happens to the row when the user goes, and why.
DECIDED = {
    # Personal: only the member reads them.
    ("experts", "expertprofile", "user"): models.CASCADE,  # the profile part deletes it
    ("experts", "notification", "user"): models.CASCADE,
    ("forum", "forummember", "user"): models.CASCADE,  # preferences and standing
    ("forum", "subscription", "user"): models.CASCADE,
    ("forum", "digestitem", "user"): models.CASCADE,
    # Others read or rely on them: kept, from a former member.
    ("experts", "exchangerequest", "requester"): models.SET_NULL,
    ("experts", "exchangeevent", "actor"): models.SET_NULL,
    ("experts", "exchangerecord", "status_by"): models.SET_NULL,
    ("experts", "exchangerecordreview", "actor"): models.SET_NULL,
    ("experts", "vettingdecision", "moderator"): models.SET_NULL,
    ("forum", "thread", "author"): models.SET_NULL,
    ("forum", "post", "author"): models.SET_NULL,
    ("forum", "postrevision", "editor"): models.SET_NULL,
    ("forum", "flag", "user"): models.SET_NULL,
    ("forum", "moderationaction", "moderator"): models.SET_NULL,
    ("forum", "moderationaction", "target_user"): models.SET_NULL,
    ("practices", "commentperiod", "opened_by"): models.SET_NULL,
    ("practices", "guidebookcomment", "author"): models.SET_NULL,
    ("practices", "guidebookcomment", "resolved_by"): models.SET_NULL,
}


def test_every_foreign_key_to_a_user_has_a_decided_on_delete():
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = {}
    for label in ("kx_platform", "practices", "experts", "forum", "search"):
        for model in apps.get_app_config(label).get_models():
            # Local fields: Page's own (owner, locked_by: SET_NULL) are Wagtail's.
            for field in model._meta.local_fields:
                if (
                    isinstance(field, models.ForeignKey)  # OneToOneField included
                    and field.related_model is user_model
                ):
                    key = (label, model._meta.model_name, field.name)
                    found[key] = field.remote_field.on_delete
    assert found == DECIDED


def test_nothing_refuses_the_deletion_of_a_user_who_did_everything(conversation, moderator):
    a, _b, started, answer = conversation
    moderation.moderate_thread(moderator, started, "pin", reason="Useful")
    decide(ExpertProfileFactory(), moderator, "suspend", reason="Checking")
    GuidebookComment.objects.create(
        guidebook=make_edition(publish=False),
        target_label="Chapter 1",
        author=moderator,
        body="A moderator's own note.",
        status="resolved",
        resolved_by=moderator,
        resolved_at=timezone.now(),
    )
    accounts.delete_account(moderator)  # an administrator's deletion: no PROTECT left
    assert not get_user_model().objects.filter(username=moderator.username).exists()


def test_an_administrator_deleting_a_user_in_the_admin_runs_the_pipeline(conversation, admin_user):
    a, b, started, answer = conversation
    called = []
    accounts.register_account_part("spy", delete=lambda user: called.append(user.pk))
    try:
        response = signed_in(admin_user).post(f"/admin/users/delete/{a.pk}/")
    finally:
        accounts.unregister_account_part("spy")
    assert response.status_code == 302
    assert called == [a.pk]
    assert not get_user_model().objects.filter(pk=a.pk).exists()
    assert Thread.objects.get(pk=started.pk).author is None
    assert Post.objects.filter(pk=answer.pk).exists()


def test_an_expert_cannot_delete_a_user_through_the_admin(conversation, expert):
    a, *_rest = conversation
    response = signed_in(expert).post(f"/admin/users/delete/{a.pk}/")
    assert response.status_code in (302, 403)
    assert get_user_model().objects.filter(pk=a.pk).exists()


def test_a_bulk_deletion_in_the_admin_runs_the_pipeline_for_each_user(conversation, admin_user):
    a, b, started, answer = conversation
    called = []
    accounts.register_account_part("spy", delete=lambda user: called.append(user.pk))
    try:
        response = signed_in(admin_user).post(f"/admin/bulk/auth/user/delete/?id={a.pk}&id={b.pk}")
    finally:
        accounts.unregister_account_part("spy")
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(called) == sorted([a.pk, b.pk]), response["Location"]
    assert Thread.objects.filter(pk=started.pk).exists()
    assert Post.objects.filter(pk=answer.pk, author=None).exists()
