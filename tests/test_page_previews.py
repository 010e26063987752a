"""Every page type renders in the admin preview, as moderators and experts see it before
publishing: the edit preview, the preview while adding, and the workflow preview."""

import json

import pytest
from wagtail.models import Locale, TaskState
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from kx_platform.models import HomePage
from practices.models import GoodPracticePage, GuidebookIndexPage, PracticeIndexPage
from tests.factories import PracticeFactory
from tests.guidebook_factories import make_edition, publish_data
from tests.practice_forms import practice_form_data

pytestmark = pytest.mark.django_db


def simple_page_data(page):
    return nested_form_data(
        {
            "title": page.title + " (preview)",
            "slug": page.slug,
            "intro": "A new introduction.",
            "comments": inline_formset([]),
        }
    )


def preview(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    assert json.loads(response.content)["is_valid"], response.content[:2000]
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:3000]
    return response.content.decode()


def practice_with_everything():
    related = PracticeFactory(pillars=[1], themes=["Youth"], countries=["NE"])
    practice = PracticeFactory(pillars=[1, 4], themes=["Youth"], countries=["NE"])
    return practice, related


@pytest.mark.parametrize("page_class", [HomePage, PracticeIndexPage, GuidebookIndexPage])
def test_the_preview_of_each_set_up_page_renders(moderator_client, page_class):
    page = page_class.objects.get(locale=Locale.objects.get(language_code="en"))
    html = preview(
        moderator_client, f"/admin/pages/{page.pk}/edit/preview/", simple_page_data(page)
    )
    assert "(preview)" in html


def test_the_preview_of_a_practice_renders_with_its_related_practices(moderator_client):
    practice, related = practice_with_everything()
    data = practice_form_data(title="Radio dramas, revised", slug=practice.slug)
    html = preview(moderator_client, f"/admin/pages/{practice.pk}/edit/preview/", data)
    assert "Radio dramas, revised" in html
    assert related.title in html


def test_the_preview_of_a_new_practice_renders_for_its_expert(expert_client):
    PracticeFactory(pillars=[1])
    index = PracticeIndexPage.objects.get(locale__language_code="en")
    url = f"/admin/pages/add/practices/goodpracticepage/{index.pk}/preview/"
    html = preview(expert_client, url, practice_form_data())
    assert "Radio dramas against recruitment" in html


def test_the_preview_of_a_guidebook_edition_renders(moderator_client):
    practice, _related = practice_with_everything()
    edition = make_edition([("Conditions", [practice])], publish=False)
    data = publish_data(edition)
    del data["action-publish"]
    html = preview(moderator_client, f"/admin/pages/{edition.pk}/edit/preview/", data)
    assert edition.title in html


def test_the_workflow_preview_of_a_submitted_practice_renders(expert_client, moderator_client):
    PracticeFactory(pillars=[1], themes=["Youth"])
    index = PracticeIndexPage.objects.get(locale__language_code="en")
    data = practice_form_data()
    data["action-submit"] = "Submit to Moderators approval"
    response = expert_client.post(f"/admin/pages/add/practices/goodpracticepage/{index.pk}/", data)
    assert response.status_code == 302
    page = GoodPracticePage.objects.get(slug="radio-dramas")
    task_state = TaskState.objects.get(workflow_state__object_id=str(page.pk), status="in_progress")
    response = moderator_client.get(
        f"/admin/pages/workflow/preview/{page.pk}/{task_state.task_id}/"
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    assert "Radio dramas against recruitment" in response.content.decode()


def test_every_page_type_is_covered_by_a_preview_test():
    from wagtail.models import get_page_models

    ours = {
        m.__name__ for m in get_page_models() if m._meta.app_label in {"kx_platform", "practices"}
    }
    assert ours == {
        "HomePage",
        "PracticeIndexPage",
        "GoodPracticePage",
        "GuidebookIndexPage",
        "GuidebookPage",
    }
