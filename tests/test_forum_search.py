"""Forum threads in the search service: per language, by category visibility."""

import pytest
from django.test import Client

from experts.forum import moderation, posting
from search.documents import DiscussionDocument, prepared_documents
from tests.conftest import drain_search, signed_in
from tests.factories import UserFactory
from tests.forum_factories import thread, vetted_expert

pytestmark = pytest.mark.django_db


def test_prepare_makes_one_document_per_language_of_the_posts():
    author, other = vetted_expert("hassan"), vetted_expert("claire")
    created = thread(
        author,
        slug="pillar-1",
        title="Réinsertion des anciens détenus",
        body="Les programmes de réinsertion au Niger.",
        language="fr",
    )
    posting.reply(other, created, body="برامج إعادة الإدماج في السجون", language="ar")
    documents = prepared_documents(DiscussionDocument, DiscussionDocument.get_queryset().get())
    by_language = {d["language"]: d for d in documents}
    assert set(by_language) == {"fr", "ar"}
    assert "réinsertion au Niger" in by_language["fr"]["body"]
    assert "إعادة الإدماج" in by_language["ar"]["body"]
    assert {d["translation_key"] for d in documents} == {f"discussion-{created.pk}"}
    assert by_language["fr"]["visibility"] == "public"
    assert by_language["fr"]["facets"]["pillar"] == ["1"]


def test_public_discussions_appear_in_global_search():
    created = thread(
        vetted_expert("lina"),
        title="Deradicalisation curricula in prisons",
        body="Which deradicalisation curricula worked?",
    )
    drain_search()
    response = Client().get("/api/v1/search?q=deradicalisation&type=discussion")
    hits = response.json()["hits"]
    assert [h["id"] for h in hits] == [created.pk]
    assert hits[0]["type"] == "discussion"
    page = Client().get("/en/search/?q=deradicalisation").content.decode()
    assert "curricula in prisons" in page and "Discussion" in page


def test_search_respects_category_visibility():
    thread(
        vetted_expert("sami"),
        slug="experts-room",
        title="Confidential returnee screening",
        body="Screening of returnees, between experts",
    )
    thread(
        vetted_expert("nadia"),
        slug="region-africa",
        title="Returnee screening in Africa",
        body="Screening of returnees in the Lake Chad basin",
    )
    drain_search()

    def titles(client):
        return {
            h["title"] for h in client.get("/api/v1/search?q=screening returnees").json()["hits"]
        }

    assert titles(Client()) == set()
    assert titles(signed_in(UserFactory(username="pm"))) == {"Returnee screening in Africa"}
    assert titles(signed_in(vetted_expert("other"))) == {
        "Confidential returnee screening",
        "Returnee screening in Africa",
    }


def test_hidden_and_pending_posts_leave_the_index(moderator):
    author = vetted_expert("yara")
    created = thread(author, title="Community policing pilots", body="Policing with trust")
    reply = posting.reply(
        vetted_expert("bad"), created, body="Slanderous zanzibarword", language="en"
    )
    drain_search()
    assert Client().get("/api/v1/search?q=zanzibarword").json()["total"] == 1
    moderation.moderate_post(moderator, reply, "hide", "Slander")
    drain_search()
    assert Client().get("/api/v1/search?q=zanzibarword").json()["total"] == 0
    thread(UserFactory(username="newbie"), title="Unapproved question here", body="quokkaword")
    drain_search()
    assert Client().get("/api/v1/search?q=quokkaword").json()["total"] == 0


def test_moving_a_thread_to_a_restricted_category_removes_it_from_public_search(moderator):
    created = thread(vetted_expert("zed"), title="Border security lessons", body="wombatword")
    drain_search()
    assert Client().get("/api/v1/search?q=wombatword").json()["total"] == 1
    from experts.forum.models import Category

    moderation.moderate_thread(
        moderator, created, "move", category=Category.objects.get(slug="experts-room")
    )
    drain_search()
    assert Client().get("/api/v1/search?q=wombatword").json()["total"] == 0
