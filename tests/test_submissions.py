"""The way into writing a practice from the public site, and the author's list of submissions."""

import datetime
import html
import re

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import Locale

from practices.models import PracticeIndexPage
from tests.conftest import signed_in
from tests.factories import PracticeFactory
from tests.practice_forms import practice_form_data

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "ar", "fr", "es"]


def add_url(language):
    index = PracticeIndexPage.objects.get(locale=Locale.objects.get(language_code=language))
    return f"/admin/pages/add/practices/goodpracticepage/{index.pk}/"


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_navigation_links_the_roster_the_guidebook_and_submitting_in_every_language(
    client, language
):
    body = client.get(f"/{language}/").content.decode()
    nav = body[body.index('id="site-nav"') : body.index("</nav>", body.index('id="site-nav"'))]
    for href in (
        f"/{language}/experts/",
        f"/{language}/guidebook/",
        f"/{language}/practices/",
        f"/{language}/practices/submit/",
    ):
        assert f'href="{href}"' in nav, href
    assert client.get(f"/{language}/guidebook/").status_code == 200
    assert client.get(f"/{language}/experts/").status_code == 200


def test_signed_in_authors_see_my_submissions_in_the_navigation(expert_client, client):
    assert 'href="/en/practices/mine/"' in expert_client.get("/en/").content.decode()
    assert 'href="/en/practices/mine/"' not in client.get("/en/").content.decode()


def test_the_menu_button_controls_the_navigation_and_needs_no_inline_script(client):
    body = client.get("/ar/").content.decode()
    assert re.search(r'<button[^>]*aria-controls="site-nav"[^>]*hidden', body)
    assert '<script src="/static/kx/header.js"></script>' in body
    assert "onclick" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_submit_a_practice_takes_an_expert_in_one_click_to_the_form_of_the_readers_library(
    expert_client, language
):
    response = expert_client.get(f"/{language}/practices/submit/")
    assert response.status_code == 302
    assert response["Location"] == add_url(language)
    form = expert_client.get(response["Location"])
    assert form.status_code == 200
    assert 'id="page-edit-form"' in form.content.decode()


def test_anonymous_visitors_read_how_to_sign_in_or_become_an_expert(client):
    response = client.get("/en/practices/submit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/en/account/login/?next=/en/practices/submit/"' in body
    assert "How to become an expert" in body
    assert "/admin/" not in body.split('id="main"')[1]


def test_members_are_told_to_apply_to_the_roster_and_not_sent_to_the_admin(member):
    client = signed_in(member)
    response = client.get("/fr/practices/submit/")
    assert response.status_code == 200
    assert 'href="/fr/experts/apply/"' in response.content.decode()
    assert client.get(add_url("fr")).status_code in (302, 403)


def test_the_practice_form_lists_the_required_fields_of_every_tab_and_loads_its_check(
    expert_client,
):
    body = expert_client.get(add_url("en")).content.decode()
    guide = body[body.index("kx-required-guide") :]
    guide = guide[: guide.index("</ul>")]
    assert "<strong>Practice</strong> (3 required fields)" in guide
    assert "Human-rights and gender considerations" in guide
    assert "<strong>Classification</strong> (5 required fields)" in guide
    for label in ("Pillars", "Implementing countries", "Evidence stage", "Start year"):
        assert label in guide
    assert 'id="kx-required-fields" type="application/json"' in body
    assert "/static/practices/required_fields.js" in body


@pytest.mark.parametrize("slug", ["mine", "submit", "Feed"])
def test_a_practice_cannot_take_a_slug_reserved_for_the_librarys_own_pages(expert_client, slug):
    data = practice_form_data(slug=slug)
    data["action-submit"] = "Submit to Moderators approval"
    response = expert_client.post(add_url("en"), data)
    assert response.status_code == 200
    assert "This address is reserved by the site" in response.content.decode()


# --- My submissions ---------------------------------------------------------------------


def test_my_submissions_asks_anonymous_visitors_to_sign_in():
    response = Client().get("/en/practices/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/login/")


def submissions_by_title(client, language="en"):
    body = client.get(f"/{language}/practices/mine/").content.decode()
    items = re.findall(r'<li class="submission[^"]*" data-state="([a-z_]+)">(.*?)</li>', body, re.S)
    found = {}
    for state, item in items:
        title = html.unescape(re.search(r"<bdi[^>]*>(.*?)</bdi>", item).group(1))
        found[title] = (state, item)
    return found


def start_moderation(page, user):
    page.save_revision(user=user)
    return page.get_workflow().start(page, user)


def test_my_submissions_lists_only_the_authors_practices_in_every_language_with_their_state(
    expert, other_expert, moderator
):
    PracticeFactory(owner=expert, title="A draft", live=False)
    PracticeFactory(owner=expert, title="A published one", language="ar")
    in_moderation = PracticeFactory(owner=expert, title="Waiting", live=False, language="fr")
    start_moderation(in_moderation, expert)
    sent_back = PracticeFactory(owner=expert, title="Sent back", live=False)
    workflow_state = start_moderation(sent_back, expert)
    task_state = workflow_state.current_task_state
    task_state.task.on_action(
        task_state, moderator, "reject", comment="Please name the partner <radio> stations."
    )
    scheduled = PracticeFactory(owner=expert, title="Later", live=False)
    scheduled.go_live_at = timezone.now() + datetime.timedelta(days=3)
    scheduled.save_revision(user=expert, approved_go_live_at=scheduled.go_live_at)
    withdrawn = PracticeFactory(owner=expert, title="Withdrawn")
    withdrawn.unpublish()
    PracticeFactory(owner=other_expert, title="Someone else's")

    found = submissions_by_title(signed_in(expert))

    assert set(found) == {
        "A draft",
        "A published one",
        "Waiting",
        "Sent back",
        "Later",
        "Withdrawn",
    }
    states = {title: state for title, (state, _item) in found.items()}
    assert states == {
        "A draft": "draft",
        "A published one": "published",
        "Waiting": "in_moderation",
        "Sent back": "changes_requested",
        "Later": "scheduled",
        "Withdrawn": "unpublished",
    }
    assert "Waiting for: Moderators approval" in found["Waiting"][1]
    assert "Please name the partner &lt;radio&gt; stations." in found["Sent back"][1]
    published = found["A published one"][1]
    assert "View the published practice" in published
    assert "/ar/practices/" in published
    assert "View the published practice" not in found["A draft"][1]
    for _title, (_state, item) in found.items():
        assert re.search(r'href="/admin/pages/\d+/edit/"', item)


def test_an_approved_submission_shows_as_published(expert, moderator):
    page = PracticeFactory(owner=expert, title="Approved", live=False)
    workflow_state = start_moderation(page, expert)
    task_state = workflow_state.current_task_state
    task_state.task.on_action(task_state, moderator, "approve", comment="")
    found = submissions_by_title(signed_in(expert), language="es")
    assert found["Approved"][0] == "published"


def test_my_submissions_invites_an_expert_without_practices_to_submit(expert_client):
    body = expert_client.get("/en/practices/mine/").content.decode()
    assert "You have not written any practice yet." in body
    assert f'href="{add_url("en")}"' in body
