"""The pages the set-up creates speak their own language, whatever order set-up ran in."""

from unittest import mock

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Locale

from kx_platform.models import HomePage
from kx_platform.site_setup import ensure_site_structure
from kx_platform.site_texts import SETUP_PAGE_TEXTS
from practices.models import GuidebookIndexPage, PracticeIndexPage

pytestmark = pytest.mark.django_db

PAGE_CLASSES = [HomePage, PracticeIndexPage, GuidebookIndexPage]
CRAWLED = [
    "/",
    "/practices/",
    "/guidebook/",
    "/experts/",
    "/forum/",
    "/search/",
    "/exchanges/dashboard/",
    "/institutions/",
    "/account/login/",
    "/account/signup/",
]


# Words spelt the same in English and that language: not an untranslated heading.
SAME_WORD = {"fr": {"Institution", "Regions", "Date"}, "es": set(), "ar": set()}


def headings(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    soup = BeautifulSoup(response.content, "html.parser")
    return {h.get_text(" ", strip=True) for h in soup.select("h1, h2, h3, legend")}


@pytest.mark.parametrize("language", ["ar", "fr", "es"])
def test_every_set_up_page_has_its_title_and_intro_in_its_own_language(language):
    for page_class in PAGE_CLASSES:
        page = page_class.objects.get(locale__language_code=language)
        texts = SETUP_PAGE_TEXTS[page.setup_texts]
        assert page.title == texts["title"][language]
        assert page.intro == texts["intro"][language]
        assert page.title != texts["title"]["en"]


@pytest.mark.parametrize("language", ["ar", "fr", "es"])
def test_no_crawled_page_has_an_english_heading(client, language):
    english = set()
    for path in CRAWLED:
        english |= headings(client, "/en" + path)
    for path in CRAWLED:
        found = headings(client, f"/{language}{path}")
        untranslated = (found & english) - SAME_WORD[language]
        assert not untranslated, (path, untranslated)


def test_set_up_writes_each_language_without_compiled_catalogues():
    """A `migrate` before `compilemessages`: gettext answers English for everything."""
    GuidebookIndexPage.objects.get(locale__language_code="ar").delete()
    with mock.patch("django.utils.translation.gettext", lambda message: message):
        ensure_site_structure()
    rebuilt = GuidebookIndexPage.objects.get(locale__language_code="ar")
    assert rebuilt.title == "دليل الممارسات الجيدة"
    assert rebuilt.live


def test_set_up_repairs_the_english_texts_an_earlier_set_up_left():
    home = HomePage.objects.get(locale__language_code="fr")
    home.title = SETUP_PAGE_TEXTS["home"]["title"]["en"]
    home.intro = SETUP_PAGE_TEXTS["home"]["intro"]["en"]
    home.save_revision().publish()

    ensure_site_structure()

    home.refresh_from_db()
    assert home.title == "Bonnes pratiques des pays du Sud"
    assert home.intro.startswith("Les experts")
    assert not home.has_unpublished_changes


def test_set_up_keeps_what_a_moderator_wrote():
    index = PracticeIndexPage.objects.get(locale=Locale.objects.get(language_code="es"))
    index.title = "Biblioteca de prácticas"
    index.save_revision().publish()
    ensure_site_structure()
    index.refresh_from_db()
    assert index.title == "Biblioteca de prácticas"
