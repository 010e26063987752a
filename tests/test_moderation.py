"""Experts submit practices, moderators approve or ask for changes, authors are told."""

import pytest
from django.core import mail
from wagtail.models import Locale, TaskState, WorkflowState

from practices.models import GoodPracticePage, PracticeIndexPage
from tests.factories import PracticeFactory
from tests.practice_forms import practice_form_data, rich_text

pytestmark = pytest.mark.django_db


def add_url(language="en"):
    index = PracticeIndexPage.objects.get(locale=Locale.objects.get(language_code=language))
    return f"/admin/pages/add/practices/goodpracticepage/{index.pk}/"


def submit_practice(client, language="en", **overrides):
    data = practice_form_data(**overrides)
    data["action-submit"] = "Submit to Moderators approval"
    return client.post(add_url(language), data)


def current_task_state(page):
    return TaskState.objects.get(workflow_state__object_id=str(page.pk), status="in_progress")


def test_expert_creates_and_submits_a_practice_which_stays_unpublished(expert_client, expert):
    response = submit_practice(expert_client)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = GoodPracticePage.objects.get(slug="radio-dramas")
    assert not page.live
    assert page.owner == expert
    assert WorkflowState.objects.filter(object_id=str(page.pk), status="in_progress").exists()
    assert page.get_latest_revision_as_object().countries.get().code == "NE"


def test_expert_cannot_publish(expert_client):
    data = practice_form_data()
    data["action-publish"] = "Publish"
    expert_client.post(add_url(), data)
    page = GoodPracticePage.objects.get(slug="radio-dramas")
    assert not page.live


def test_moderator_approves_and_the_practice_goes_public(expert_client, moderator_client, client):
    submit_practice(expert_client)
    page = GoodPracticePage.objects.get(slug="radio-dramas")
    task_state = current_task_state(page)
    response = moderator_client.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/", {"comment": ""}
    )
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live
    assert client.get(page.url).status_code == 200


def test_moderator_requests_changes_and_the_author_gets_an_email(
    expert_client, moderator_client, expert
):
    submit_practice(expert_client)
    page = GoodPracticePage.objects.get(slug="radio-dramas")
    mail.outbox.clear()
    task_state = current_task_state(page)
    moderator_client.post(
        f"/admin/pages/workflow/action/{page.pk}/reject/{task_state.pk}/",
        {"comment": "Please name the partner radio stations."},
    )
    page.refresh_from_db()
    assert not page.live
    to_author = [m for m in mail.outbox if expert.email in m.to]
    assert to_author, [m.subject for m in mail.outbox]
    assert "Please name the partner radio stations." in to_author[0].body


def test_moderators_are_emailed_when_a_practice_is_submitted(expert_client, moderator):
    mail.outbox.clear()
    submit_practice(expert_client)
    assert any(moderator.email in m.to for m in mail.outbox)


def test_expert_edits_own_practice_but_not_another_experts(expert, other_expert, expert_client):
    own = PracticeFactory(owner=expert, live=False)
    other = PracticeFactory(owner=other_expert, live=False)
    assert expert_client.get(f"/admin/pages/{own.pk}/edit/").status_code == 200
    response = expert_client.get(f"/admin/pages/{other.pk}/edit/")
    assert response.status_code in (302, 403)


def test_moderator_edits_and_unpublishes_any_practice(moderator_client, expert):
    page = PracticeFactory(owner=expert)
    assert moderator_client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    response = moderator_client.post(f"/admin/pages/{page.pk}/unpublish/", {})
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live


def test_expert_cannot_unpublish(expert_client, expert):
    page = PracticeFactory(owner=expert)
    expert_client.post(f"/admin/pages/{page.pk}/unpublish/", {})
    page.refresh_from_db()
    assert page.live


def test_members_cannot_reach_the_admin(member):
    from tests.conftest import signed_in

    response = signed_in(member).get(add_url())
    assert response.status_code in (302, 403)
    assert not GoodPracticePage.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pillars": []}, "Choose at least one pillar"),
        (
            {"start_year": "2020", "end_year": "2018"},
            "The end year cannot be before the start year.",
        ),
        ({"countries": ["ZZ"]}, "ZZ is not a known country code."),
        ({"countries": []}, "Name at least one implementing country."),
        ({"summary": "x" * 301}, "Ensure this value has at most 300 characters"),
        ({"human_rights": rich_text("")}, "This field is required."),
    ],
)
def test_invalid_practice_is_rejected_with_a_message_and_nothing_saved(
    expert_client, overrides, message
):
    response = submit_practice(expert_client, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not GoodPracticePage.objects.exists()


def test_expert_copies_a_practice_for_translation_and_it_waits_for_moderation(
    expert, expert_client
):
    original = PracticeFactory(owner=expert, title="Radio dramas", pillars=[1, 4], themes=["Youth"])
    french = Locale.objects.get(language_code="fr")
    response = expert_client.post(
        f"/admin/translation/submit/page/{original.pk}/", {"locales": [french.pk]}
    )
    assert response.status_code == 302
    copy = GoodPracticePage.objects.get(locale=french)
    assert copy.translation_key == original.translation_key
    assert not copy.live
    assert set(copy.pillars.values_list("number", flat=True)) == {1, 4}
    assert list(copy.themes.names()) == ["Youth"]
    # The expert edits the copy in French and submits it like any practice.
    assert expert_client.get(f"/admin/pages/{copy.pk}/edit/").status_code == 200
