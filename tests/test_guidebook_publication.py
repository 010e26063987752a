"""An edition with unresolved comments or an open comment period is not published, whatever
the path: the editor's Publish button, workflow approval, bulk actions, the admin API,
revision.publish(), scheduled publishing. The draft stays and the moderator is told why."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Revision, TaskState
from wagtail.test.utils.form_data import rich_text

from practices.guidebook_publication import EditionNotReady
from practices.models import CommentPeriod, CommentStatus, GuidebookComment, GuidebookPage
from tests.factories import PracticeFactory
from tests.guidebook_factories import make_edition, publish_data

pytestmark = pytest.mark.django_db

UNRESOLVED = "unresolved comment(s)"
PERIOD_OPEN = "The comment period is still open"
NOT_PUBLISHED = "The edition was saved as a draft and not published."


@pytest.fixture
def edition_with_a_comment(moderator, expert):
    """A draft edition whose comment period is over, with one comment still open."""
    edition = make_edition(
        [("Conditions", [PracticeFactory(title="Prison mentors")])], publish=False
    )
    CommentPeriod.objects.create(
        guidebook=edition, closes_at=timezone.now() - timedelta(days=1), opened_by=moderator
    )
    GuidebookComment.objects.create(
        guidebook=edition, target_label="Conditions", author=expert, body="Say why."
    )
    return edition


def in_moderation(edition, user):
    """The edition submitted to the "Moderators approval" workflow that gates every page."""
    edition.get_workflow().start(edition, user)
    return TaskState.objects.get(workflow_state__object_id=str(edition.pk), status="in_progress")


def reloaded(edition):
    return GuidebookPage.objects.get(pk=edition.pk)


def resolve_all(edition):
    GuidebookComment.objects.filter(guidebook=edition).update(status=CommentStatus.RESOLVED)


def test_approving_in_the_editor_is_refused_and_the_draft_is_kept(
    edition_with_a_comment, moderator, moderator_client
):
    edition = edition_with_a_comment
    task_state = in_moderation(edition, moderator)
    data = publish_data(edition)
    del data["action-publish"]
    data.update(
        {
            "action-workflow-action": "true",
            "workflow-action-name": "approve",
            "foreword": rich_text("<p>Revised.</p>"),
        }
    )
    url = f"/admin/pages/{edition.pk}/edit/"
    response = moderator_client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert UNRESOLVED in html and NOT_PUBLISHED in html
    assert not reloaded(edition).live
    task_state.refresh_from_db()
    assert task_state.status == "in_progress"  # the approval was not recorded
    assert "Revised." in reloaded(edition).get_latest_revision_as_object().foreword

    resolve_all(edition)
    moderator_client.post(url, data)
    edition = reloaded(edition)
    assert edition.live and "Revised." in edition.foreword


def test_approving_from_the_dashboard_is_refused_with_a_message(
    edition_with_a_comment, moderator, moderator_client
):
    edition = edition_with_a_comment
    CommentPeriod.objects.filter(guidebook=edition).update(
        closes_at=timezone.now() + timedelta(days=3)
    )
    task_state = in_moderation(edition, moderator)
    url = f"/admin/pages/workflow/action/{edition.pk}/approve/{task_state.pk}/"
    response = moderator_client.post(url, {"comment": "Fine."}, follow=True)
    html = response.content.decode()
    assert UNRESOLVED in html and PERIOD_OPEN in html
    assert not reloaded(edition).live
    task_state.refresh_from_db()
    assert task_state.status == "in_progress"

    # The modal on the dashboard posts with XMLHttpRequest and follows "redirect".
    response = moderator_client.post(
        url, {"comment": ""}, headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert response.status_code == 200
    assert response.json()["redirect"] == f"/admin/pages/{edition.pk}/edit/"

    resolve_all(edition)
    CommentPeriod.objects.filter(guidebook=edition).update(closes_at=timezone.now())
    moderator_client.post(url, {"comment": ""})
    assert reloaded(edition).live


def test_the_publish_button_is_refused_with_a_message_and_the_draft_kept(
    edition_with_a_comment, moderator_client
):
    edition = edition_with_a_comment
    data = publish_data(edition)
    data["title"] = "Guidebook, second draft"
    response = moderator_client.post(f"/admin/pages/{edition.pk}/edit/", data, follow=True)
    html = response.content.decode()
    assert UNRESOLVED in html and NOT_PUBLISHED in html
    edition = reloaded(edition)
    assert not edition.live
    assert edition.get_latest_revision_as_object().title == "Guidebook, second draft"


def test_bulk_publishing_is_refused_and_publishes_nothing(edition_with_a_comment, moderator_client):
    edition = edition_with_a_comment
    other = make_edition([("Other", [])], slug="other-edition", publish=False)
    url = f"/admin/bulk/wagtailcore/page/publish/?id={edition.pk}&id={other.pk}"
    response = moderator_client.post(url, {}, follow=True)
    assert UNRESOLVED in response.content.decode()
    assert not reloaded(edition).live
    assert not reloaded(other).live  # all or nothing


def test_revision_publish_raises_and_changes_nothing(edition_with_a_comment):
    edition = edition_with_a_comment
    revision = edition.get_latest_revision()
    with pytest.raises(EditionNotReady) as refusal:
        revision.publish()
    assert UNRESOLVED in " ".join(refusal.value.messages)
    edition = reloaded(edition)
    assert not edition.live and edition.live_revision is None


def test_scheduled_publication_waits_for_the_comments_without_stopping_others(
    edition_with_a_comment,
):
    edition = edition_with_a_comment
    other = make_edition([("Other", [])], slug="other-edition", publish=False)
    past = timezone.now() - timedelta(minutes=5)
    for page in (edition, other):
        Revision.objects.filter(pk=page.latest_revision_id).update(approved_go_live_at=past)
    call_command("publish_scheduled")
    assert reloaded(other).live
    assert not reloaded(edition).live
    assert edition.get_latest_revision().approved_go_live_at is not None  # still scheduled
    resolve_all(edition)
    call_command("publish_scheduled")
    assert reloaded(edition).live


def test_a_live_edition_can_still_be_saved_and_unpublished(edition_with_a_comment):
    """Only going live is refused: other saves of a published edition are not."""
    edition = edition_with_a_comment
    resolve_all(edition)
    edition.get_latest_revision().publish()
    GuidebookComment.objects.filter(guidebook=edition).update(status=CommentStatus.OPEN)
    edition = reloaded(edition)
    edition.title = "Renamed"
    edition.save()
    edition.unpublish()
    assert not reloaded(edition).live


def test_the_admin_api_answers_400_with_the_reasons(edition_with_a_comment, moderator_client):
    edition = edition_with_a_comment
    response = moderator_client.post(f"/admin/api/main/pages/{edition.pk}/action/publish/")
    assert response.status_code == 400
    assert UNRESOLVED in response.content.decode()
    assert not reloaded(edition).live
