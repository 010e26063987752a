"""The site every fresh database gets, in four languages, and its security headers."""

import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Locale, Page, Site, WorkflowPage

from kx_platform.models import HomePage
from practices.models import PracticeIndexPage
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ["ar", "en", "fr", "es"]


def test_every_language_has_a_home_and_a_practice_library():
    assert set(Locale.objects.values_list("language_code", flat=True)) == set(LANGUAGES)
    for code in LANGUAGES:
        home = HomePage.objects.get(locale__language_code=code)
        assert home.live
        assert PracticeIndexPage.objects.child_of(home).live().exists()
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage


def test_roles_are_groups_and_experts_may_only_add_practices():
    assert {"Experts", "Moderators"} <= set(Group.objects.values_list("name", flat=True))
    experts = Group.objects.get(name="Experts")
    granted = GroupPagePermission.objects.filter(group=experts)
    assert {g.permission.codename for g in granted} == {"add_page"}
    assert {g.page.specific_class for g in granted} == {PracticeIndexPage}
    assert experts.permissions.filter(codename="access_admin").exists()


def test_publishing_is_gated_by_the_moderators_workflow():
    root = Page.get_first_root_node()
    workflow = WorkflowPage.objects.get(page=root).workflow
    assert workflow.active
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Moderators"]


@pytest.mark.parametrize("code", LANGUAGES)
def test_pages_declare_language_and_direction(client, code):
    PracticeFactory()
    for path in (f"/{code}/", f"/{code}/practices/"):
        html = client.get(path).content.decode()
        direction = "rtl" if code == "ar" else "ltr"
        assert f'<html lang="{code}" dir="{direction}">' in html, path


def test_the_root_redirects_to_a_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302 and response["Location"] == "/fr/"


def test_interface_strings_are_translated(client):
    assert "تصفية الممارسات" in client.get("/ar/practices/").content.decode()
    assert "Filtrer les pratiques" in client.get("/fr/practices/").content.decode()
    assert "Filtrar las prácticas" in client.get("/es/practices/").content.decode()


def test_language_switcher_links_to_the_same_page_in_other_languages(client):
    practice = PracticeFactory()
    html = client.get("/en/practices/?pillar=1").content.decode()
    assert 'href="/ar/practices/?pillar=1"' in html
    # An untranslated practice: the switcher leads to the library in the other language.
    html = client.get(practice.url).content.decode()
    assert re.search(r'href="/fr/practices/"[^>]*hreflang="fr"', html)


@pytest.mark.parametrize("code", ["ar", "fr", "es"])
def test_translation_catalogues_are_complete(code):
    po = ROOT / "locale" / code / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_security_headers(client):
    response = client.get("/en/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_dates_are_localized(client):
    practice = PracticeFactory()
    html = client.get(practice.url).content.decode()
    assert f"{practice.first_published_at.year}" in html
