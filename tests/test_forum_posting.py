"""Writing in the forum: who may post where, replies, quotes, edits with history,
accepted answers, and what happens to bad input (never a 500)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from experts.forum import posting
from experts.forum.models import Post, PostRevision, PostState, Thread
from tests.conftest import signed_in
from tests.factories import UserFactory
from tests.forum_factories import direct_thread, thread, vetted_expert

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert_user():
    return vetted_expert("amina")


@pytest.fixture
def other_expert_user():
    return vetted_expert("karim")


def test_a_vetted_expert_starts_a_thread_through_the_form(expert_user):
    client = signed_in(expert_user)
    response = client.post(
        "/fr/forum/c/pillar-1/new/",
        {
            "title": "Dialogue en prison au Sahel",
            "body": "Qui a de l'expérience ?",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    created = Thread.objects.get(title="Dialogue en prison au Sahel")
    assert created.is_visible and created.language == "fr"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "expérience ?" in page.content.decode()


def test_members_may_not_post_in_an_experts_only_category():
    member = UserFactory(username="plain")
    client = signed_in(member)
    assert client.get("/en/forum/c/pillar-1/new/").status_code == 403
    response = client.post(
        "/en/forum/c/pillar-1/new/",
        {"title": "A member's question", "body": "Hi", "language": "en"},
    )
    assert response.status_code == 403
    assert not Thread.objects.exists()


def test_a_new_members_first_posts_wait_for_approval():
    member = UserFactory(username="newcomer")
    created = thread(member, slug="general", title="A question from a policymaker")
    assert not created.is_visible
    assert created.posts.get().state == PostState.PENDING
    # Others do not see it; its author does.
    assert Client().get(created.get_absolute_url()).status_code == 404
    assert signed_in(member).get(created.get_absolute_url()).status_code == 200


def test_members_only_categories_are_hidden_from_anonymous_visitors(expert_user):
    created = thread(expert_user, slug="region-africa", title="Lake Chad returnees")
    # "Sign in to read" (tests/test_seo_and_errors.py), without the content.
    assert Client().get(created.get_absolute_url()).status_code == 403
    assert Client().get("/en/forum/c/region-africa/").status_code == 403
    assert "Lake Chad returnees" not in Client().get("/en/forum/").content.decode()
    member = UserFactory(username="reader")
    assert signed_in(member).get(created.get_absolute_url()).status_code == 200


def test_experts_room_is_for_vetted_experts_only(expert_user):
    created = thread(expert_user, slug="experts-room", title="Between vetted experts")
    assert signed_in(UserFactory(username="m2")).get(created.get_absolute_url()).status_code == 403
    assert signed_in(vetted_expert("third")).get(created.get_absolute_url()).status_code == 200


def test_reply_with_a_quote_links_the_quoted_post(expert_user, other_expert_user):
    created = thread(expert_user, body="First **message**")
    client = signed_in(other_expert_user)
    opening = created.posts.get(number=1)
    form = client.get(f"/en/forum/t/{created.pk}/reply/?quote={opening.pk}")
    assert "&gt; First **message**" in form.content.decode()
    response = client.post(
        f"/en/forum/t/{created.pk}/reply/",
        {"body": "> First message\n\nI agree.", "language": "en", "quote": opening.pk},
    )
    assert response.status_code == 302
    reply = Post.objects.get(thread=created, number=2)
    assert reply.quoted == opening
    assert "<blockquote>" in reply.body_html
    created.refresh_from_db()
    assert created.reply_count == 1


def test_the_author_edits_within_the_window_and_moderators_see_the_history(expert_user, moderator):
    created = thread(expert_user, title="Original title of it", body="Original text")
    opening = created.posts.get()
    client = signed_in(expert_user)
    response = client.post(
        f"/en/forum/p/{opening.pk}/edit/", {"title": "Better title of it", "body": "Better text"}
    )
    assert response.status_code == 302
    opening.refresh_from_db()
    assert opening.body == "Better text" and opening.edited_at
    revision = PostRevision.objects.get(post=opening)
    assert revision.body == "Original text" and revision.title == "Original title of it"
    history = f"/en/forum/p/{opening.pk}/history/"
    assert client.get(history).status_code == 404
    assert "Original text" in signed_in(moderator).get(history).content.decode()


def test_editing_after_the_window_is_refused(expert_user):
    created = thread(expert_user)
    opening = created.posts.get()
    Post.objects.filter(pk=opening.pk).update(
        created_at=opening.created_at - posting.EDIT_WINDOW * 2
    )
    response = signed_in(expert_user).post(
        f"/en/forum/p/{opening.pk}/edit/", {"title": "Changed title", "body": "Changed"}
    )
    assert response.status_code == 403


def test_the_author_marks_the_accepted_answer_and_it_is_shown_first(expert_user, other_expert_user):
    created = direct_thread(expert_user, posts=1, title="Which curriculum works?")
    for n in range(3):
        posting.reply(other_expert_user, created, body=f"Answer number {n}", language="en")
    best = created.posts.get(number=4)
    assert signed_in(other_expert_user).post(f"/en/forum/p/{best.pk}/accept/").status_code == 403
    assert signed_in(expert_user).post(f"/en/forum/p/{best.pk}/accept/").status_code == 302
    created.refresh_from_db()
    assert created.accepted_answer == best
    html = Client().get(created.get_absolute_url()).content.decode()
    assert html.index("Answer number 2") < html.index("Answer number 0")
    assert html.index("Which curriculum works?") < html.index("Answer number 2")


def test_locked_threads_take_no_reply(expert_user, other_expert_user):
    created = thread(expert_user)
    Thread.objects.filter(pk=created.pk).update(is_locked=True)
    response = signed_in(other_expert_user).post(
        f"/en/forum/t/{created.pk}/reply/", {"body": "Late", "language": "en"}
    )
    assert response.status_code == 400
    assert "locked" in response.content.decode()
    assert created.posts.count() == 1


# --- Abuse limits ----------------------------------------------------------------------


def test_the_duplicate_post_guard_refuses_the_same_message_twice(expert_user):
    created = thread(expert_user)
    client = signed_in(expert_user)
    data = {"body": "Same words twice", "language": "en"}
    assert client.post(f"/en/forum/t/{created.pk}/reply/", data).status_code == 302
    response = client.post(f"/en/forum/t/{created.pk}/reply/", data)
    assert response.status_code == 400
    assert "same message" in response.content.decode()


def test_posting_is_rate_limited(expert_user):
    created = thread(expert_user)
    client = signed_in(expert_user)
    codes = [
        client.post(
            f"/en/forum/t/{created.pk}/reply/", {"body": f"Reply {i}", "language": "en"}
        ).status_code
        for i in range(posting.POST_RATE_LIMIT + 1)
    ]
    assert codes[-1] == 400 and codes.count(302) == posting.POST_RATE_LIMIT - 1


def test_new_members_may_post_few_links():
    member = UserFactory(username="linker")
    body = "See https://a.example https://b.example https://c.example"
    with pytest.raises(Exception) as error:
        thread(member, body=body)
    assert "links" in str(error.value)


def test_suspended_members_cannot_post(expert_user, moderator):
    from experts.forum.moderation import suspend_user

    suspend_user(moderator, expert_user, 3, "Repeated insults")
    with pytest.raises(PermissionDenied):
        thread(expert_user)


# --- Bad input: rejected with a message or neutralised, never a 500 ----------------------


def _post_reply(client, thread_pk, body, **extra):
    return client.post(f"/en/forum/t/{thread_pk}/reply/", {"body": body, "language": "en", **extra})


def test_a_100000_character_post_is_refused_with_a_message(expert_user):
    created = thread(expert_user)
    response = _post_reply(signed_in(expert_user), created.pk, "x" * 100_000)
    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode().replace(",", "")


def test_ten_thousand_nested_quotes_are_neutralised(expert_user):
    created = thread(expert_user)
    body = ">" * 10_000 + " deep"
    response = _post_reply(signed_in(expert_user), created.pk, body)
    assert response.status_code == 302
    post = created.posts.get(number=2)
    assert post.body_html.count("<blockquote>") <= 20
    assert Client().get(created.get_absolute_url()).status_code == 200


def test_zero_width_and_bidi_override_characters_leave_titles(expert_user):
    client = signed_in(expert_user)
    title = "Re\u200bint\u202eegration\u2066 of\u200f returnees\ufeff"
    response = client.post(
        "/en/forum/c/general/new/", {"title": title, "body": "Body", "language": "en"}
    )
    assert response.status_code == 302
    assert Thread.objects.get().title == "Reintegration of returnees"


def test_a_title_of_only_invisible_characters_is_refused(expert_user):
    response = signed_in(expert_user).post(
        "/en/forum/c/general/new/",
        {"title": "\u200b" * 30 + "\u202e" * 30, "body": "Body", "language": "en"},
    )
    assert response.status_code == 400
    assert "at least 8 characters" in response.content.decode()


def test_invalid_utf8_in_a_post_is_neutralised_or_refused(expert_user):
    created = thread(expert_user)
    client = signed_in(expert_user)
    body = b"body=Invalid \xff\xfe\xc3\x28 bytes&language=en"
    response = client.post(
        f"/en/forum/t/{created.pk}/reply/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (302, 400)
    for post in created.posts.all():
        post.body.encode("utf-8")  # whatever was stored is valid text


def test_null_characters_are_refused_with_a_message(expert_user):
    created = thread(expert_user)
    response = _post_reply(signed_in(expert_user), created.pk, "null \x00 byte")
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"body": ""},
        {"body": "ok", "language": "xx"},
        {"body": "ok", "language": "en", "quote": "not-a-number"},
        {"body": ["a", "b"], "language": ["en", "fr"]},
    ],
)
def test_malformed_replies_are_refused_with_a_message(expert_user, data):
    created = thread(expert_user)
    response = signed_in(expert_user).post(f"/en/forum/t/{created.pk}/reply/", data)
    assert response.status_code in (302, 400)


@pytest.mark.parametrize(
    "url",
    [
        "/en/forum/t/999999/",
        "/en/forum/c/nope/",
        "/en/forum/t/1/?page=abc",
        "/en/forum/c/general/?page=-3",
    ],
)
def test_unknown_or_odd_addresses_are_not_errors(url):
    assert Client().get(url).status_code in (200, 404)


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_thread_page_costs_the_same_queries_at_ten_and_sixty_posts(expert_user, settings):
    settings.KX_FORUM_POSTS_PER_PAGE = 100
    short = direct_thread(expert_user, title="A short thread here", posts=10)
    long = direct_thread(expert_user, title="A long thread here", posts=60)
    for client in (Client(), signed_in(vetted_expert("reader"))):
        counts = {_queries(client, t.get_absolute_url()) for t in (short, long)}
        assert len(counts) == 1


def test_cached_posts_show_edits_and_each_readers_own_controls(
    expert_user, other_expert_user, moderator
):
    created = thread(expert_user, title="Cached thread title", body="First words")
    reply = posting.reply(other_expert_user, created, body="A reply to flag", language="en")
    url = created.get_absolute_url()
    assert "First words" in Client().get(url).content.decode()  # now cached
    posting.edit_post(expert_user, created.posts.get(number=1), body="Second words")
    html = Client().get(url).content.decode()
    assert "Second words" in html and "First words" not in html and "(edited)" in html
    signed_in(vetted_expert("flagger")).post(
        f"/en/forum/p/{reply.pk}/flag/", {"reason": "spam", "note": ""}
    )
    # The flag count is for moderators only, whoever's view of the post was cached first.
    assert "1 flag" in signed_in(moderator).get(url).content.decode()
    assert "1 flag" not in Client().get(url).content.decode()
    # The author's controls are hers; another reader's are his own.
    mine = signed_in(expert_user).get(url).content.decode()
    assert f"/p/{reply.pk}/accept/" in mine and f"/p/{reply.pk}/flag/" in mine
    theirs = signed_in(other_expert_user).get(url).content.decode()
    assert f"/p/{reply.pk}/accept/" not in theirs and f"/p/{reply.pk}/edit/" in theirs
    # Each language has its own copy (labels, dates).
    arabic = Client().get(f"/ar{url.removeprefix('/en')}").content.decode()
    assert "(edited)" not in arabic and "Second words" in arabic
