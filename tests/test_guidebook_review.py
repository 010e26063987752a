"""The comment period on a draft edition, resolving comments, publishing, the admin."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practices.guidebook_content import localise
from practices.models import (
    CommentPeriod,
    CommentStatus,
    GuidebookComment,
    GuidebookPage,
)
from tests.conftest import signed_in
from tests.expert_factories import ExpertProfileFactory
from tests.factories import PracticeFactory
from tests.guidebook_factories import make_edition, publish_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(moderator):
    practice = PracticeFactory(title="Prison mentors")
    edition = make_edition([("Conditions", [practice])], publish=False)
    CommentPeriod.objects.create(
        guidebook=edition, closes_at=timezone.now() + timedelta(days=10), opened_by=moderator
    )
    return edition


@pytest.fixture
def vetted_client(db):
    return signed_in(ExpertProfileFactory(status="approved").user)


def review_url(edition):
    return f"/en/guidebook-review/{edition.pk}/"


def test_vetted_expert_reads_the_draft_and_comments_on_a_practice(draft, vetted_client):
    response = vetted_client.get(review_url(draft))
    assert response.status_code == 200
    assert "Prison mentors" in response.content.decode()
    response = vetted_client.post(
        review_url(draft), {"target": "p1-1", "body": "Add <b>the</b> evaluation."}
    )
    assert response.status_code == 302
    comment = GuidebookComment.objects.get()
    assert comment.practice.title == "Prison mentors"
    assert comment.target_label == "Conditions › Prison mentors"
    html = vetted_client.get(review_url(draft)).content.decode()
    assert "Add &lt;b&gt;the&lt;/b&gt; evaluation." in html


def test_bad_comments_are_redisplayed_with_errors(draft, vetted_client):
    response = vetted_client.post(review_url(draft), {"target": "p9-9", "body": "x" * 2001})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"target", "body"}
    assert not GuidebookComment.objects.exists()


@pytest.mark.parametrize("who", ["member", "unvetted", "anonymous"])
def test_only_vetted_experts_and_moderators_see_the_draft(draft, client, member, who):
    if who == "anonymous":
        response = client.get(review_url(draft))
        assert response.status_code == 302 and "/account/login/" in response["Location"]
        return
    user = member if who == "member" else ExpertProfileFactory(status="submitted").user
    response = signed_in(user).post(review_url(draft), {"target": "c1", "body": "Hello"})
    assert response.status_code == 403
    assert not GuidebookComment.objects.exists()


def test_comments_close_at_the_end_of_the_period(draft, vetted_client):
    CommentPeriod.objects.filter(guidebook=draft).update(closes_at=timezone.now())
    assert vetted_client.get(review_url(draft)).status_code == 403
    response = vetted_client.post(review_url(draft), {"target": "c1", "body": "Late"})
    assert response.status_code == 403
    assert not GuidebookComment.objects.exists()


def test_moderator_opens_the_period_in_the_admin(moderator_client):
    edition = make_edition([("Conditions", [])], publish=False)
    url = f"/admin/guidebook/{edition.pk}/comment-period/"
    assert moderator_client.get(url).status_code == 200
    response = moderator_client.post(url, {"closes_on": "2001-01-01"})
    assert response.status_code == 200 and not CommentPeriod.objects.exists()
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    assert moderator_client.post(url, {"closes_on": day}).status_code == 302
    assert CommentPeriod.objects.get(guidebook=edition).is_open()


def test_experts_cannot_use_the_moderator_views(draft, vetted_client, expert_client):
    for client in (vetted_client, expert_client):
        for view in ("comment-period", "comments", "next-edition"):
            response = client.get(f"/admin/guidebook/{draft.pk}/{view}/")
            assert response.status_code in (302, 403), view


def test_publishing_waits_until_every_comment_is_resolved(draft, vetted_client, moderator_client):
    vetted_client.post(review_url(draft), {"target": "c1", "body": "Say why this matters."})
    CommentPeriod.objects.filter(guidebook=draft).update(closes_at=timezone.now())
    comment = GuidebookComment.objects.get()
    publish = publish_data(draft)
    response = moderator_client.post(f"/admin/pages/{draft.pk}/edit/", publish)
    assert response.status_code == 302
    assert not GuidebookPage.objects.get(pk=draft.pk).live
    comments_url = f"/admin/guidebook/{draft.pk}/comments/"
    assert "Say why this matters." in moderator_client.get(comments_url).content.decode()
    moderator_client.post(comments_url, {"comment": comment.pk, "resolution_note": "Done."})
    comment.refresh_from_db()
    assert comment.status == CommentStatus.RESOLVED and comment.resolution_note == "Done."
    response = moderator_client.post(f"/admin/pages/{draft.pk}/edit/", publish)
    assert GuidebookPage.objects.get(pk=draft.pk).live


def test_admin_edit_form_saves_nested_chapters(moderator_client):
    first = PracticeFactory(title="Prison mentors")
    second = PracticeFactory(title="Border committees")
    edition = make_edition([("Conditions", [first])], publish=False)
    assert moderator_client.get(f"/admin/pages/{edition.pk}/edit/").status_code == 200
    data = publish_data(edition)
    data["chapters-0-selections-TOTAL_FORMS"] = "2"
    data["chapters-0-selections-1-practice"] = str(second.pk)
    data["chapters-0-selections-1-ORDER"] = "1"
    data["chapters-0-selections-1-id"] = ""
    response = moderator_client.post(f"/admin/pages/{edition.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    edition = GuidebookPage.objects.get(pk=edition.pk)
    assert edition.live
    content = localise(edition.snapshot.content, "en")
    titles = [e["title"] for e in content["chapters"][0]["entries"]]
    assert titles == ["Prison mentors", "Border committees"]


def test_new_edition_gets_one_chapter_per_pillar(moderator_client):
    from practices.models import GuidebookIndexPage

    index = GuidebookIndexPage.objects.get(locale__language_code="fr")
    url = f"/admin/pages/add/practices/guidebookpage/{index.pk}/"
    data = publish_data(GuidebookPage(title="Guide", slug="guide", year=2027, edition_number=1))
    data.pop("action-publish")
    response = moderator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    edition = GuidebookPage.objects.get(slug="guide")
    chapters = list(edition.get_latest_revision_as_object().chapters.all())
    assert [c.pillar.number for c in chapters] == [1, 2, 3, 4]


def test_next_edition_starts_from_the_last_one(moderator_client):
    practice = PracticeFactory(title="Prison mentors")
    edition = make_edition([("Conditions", [practice]), ("Empty", [])])
    response = moderator_client.post(f"/admin/guidebook/{edition.pk}/next-edition/")
    assert response.status_code == 302
    new = GuidebookPage.objects.exclude(pk=edition.pk).get(locale=edition.locale)
    assert not new.live and new.edition_number == 2
    chapters = list(new.chapters.all())
    assert [c.title for c in chapters] == ["Conditions", "Empty"]
    assert [s.practice for s in chapters[0].selections.all()] == [practice]


def test_chooser_filters_live_practices_by_pillar_region_and_stage(moderator_client):
    PracticeFactory(
        title="Pillar one Kenya", pillars=[1], countries=["KE"], evidence_stage="tested"
    )
    PracticeFactory(
        title="Pillar two Peru", pillars=[2], countries=["PE"], evidence_stage="adapted"
    )
    PracticeFactory(title="Draft practice", pillars=[1], live=False)
    from kx_platform.models import Pillar, Region

    base = "/admin/guidebook/choose-practice/results/"
    pillar = Pillar.objects.get(number=1).pk
    html = moderator_client.get(f"{base}?pillar={pillar}").content.decode()
    assert "Pillar one Kenya" in html and "Pillar two Peru" not in html
    assert "Draft practice" not in html
    region = Region.objects.get(slug="latin-america-caribbean").pk
    html = moderator_client.get(f"{base}?region={region}&stage=adapted").content.decode()
    assert "Pillar two Peru" in html and "Pillar one Kenya" not in html
    assert moderator_client.get(f"{base}?stage=nonsense").status_code == 200


def test_published_edition_offers_the_next_edition_in_its_header(moderator_client):
    practice = PracticeFactory(title="Prison mentors")
    edition = make_edition([("Conditions", [practice])])
    frozen = edition.snapshot.content_hash
    action = f"/admin/guidebook/{edition.pk}/next-edition/"
    assert action in moderator_client.get(f"/admin/pages/{edition.pk}/edit/").content.decode()
    draft = make_edition([("Conditions", [])], slug="a-draft", publish=False)
    assert (
        "/next-edition/"
        not in moderator_client.get(f"/admin/pages/{draft.pk}/edit/").content.decode()
    )

    # A later draft of the published edition is not what the next edition starts from.
    later = edition.get_latest_revision_as_object()
    chapters = list(later.chapters.all())
    chapters[0].title = "Renamed in a draft"
    later.chapters = chapters
    later.save_revision()
    assert edition.get_latest_revision_as_object().chapters.first().title == "Renamed in a draft"
    assert "Start the next edition" in moderator_client.get(action).content.decode()
    response = moderator_client.post(action)
    new = GuidebookPage.objects.get(edition_number=2)
    assert response["Location"] == f"/admin/pages/{new.pk}/edit/"
    assert [c.title for c in new.chapters.all()] == ["Conditions"]
    edition = GuidebookPage.objects.get(pk=edition.pk)
    assert edition.live and edition.snapshot.content_hash == frozen


def test_admin_allows_the_inline_scripts_of_wagtails_inline_panels(moderator_client, client):
    """Adding a chapter runs an inline script of Wagtail's InlinePanel: the admin's CSP must
    allow it (with a nonce, browsers would ignore 'unsafe-inline'); the site's CSP does not."""
    edition = make_edition([("Conditions", [])])
    admin = moderator_client.get(f"/admin/pages/{edition.pk}/edit/")
    assert "new InlinePanel(" in admin.content.decode()
    script_src = admin["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert "'unsafe-inline'" in script_src and "nonce-" not in script_src
    public = client.get(edition.url)["Content-Security-Policy"]
    assert "'unsafe-inline'" not in public
