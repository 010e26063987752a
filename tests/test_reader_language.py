"""A reader stays in their interface language (issue 11, item 11): from /ar/, a practice with
no Arabic version opens under /ar/ with the Arabic interface and its text marked as
English; search hits link under the reader's prefix; content in another language is
labelled with its language."""

import re

import pytest

from tests.conftest import drain_search
from tests.expert_factories import ExpertProfileFactory
from tests.factories import PracticeFactory, translate
from tests.forum_factories import thread, vetted_expert
from tests.guidebook_factories import make_edition

pytestmark = pytest.mark.django_db


def card_links(html):
    return re.findall(r'<h3 class="card__title"[^>]*><a href="([^"]+)">', html)


def test_english_only_practice_card_links_under_the_reader_prefix(client):
    english = PracticeFactory(title="Safe corridor", slug="safe-corridor")
    html = client.get("/ar/practices/").content.decode()
    assert card_links(html) == ["/ar/practices/safe-corridor/"]
    assert english.url == "/en/practices/safe-corridor/"
    # labelled with its language, in that language
    assert re.search(
        r'<span class="chip chip--small chip--language" lang="en">English</span>', html
    )


def test_card_in_the_reader_language_has_no_language_label(client):
    PracticeFactory(title="Safe corridor", slug="safe-corridor")
    html = client.get("/en/practices/").content.decode()
    assert card_links(html) == ["/en/practices/safe-corridor/"]
    assert "chip--language" not in html


def test_english_practice_opens_under_arabic_with_the_arabic_interface(client):
    PracticeFactory(title="Safe corridor", slug="safe-corridor")
    response = client.get("/ar/practices/safe-corridor/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<html lang="ar" dir="rtl"', html)
    assert '<h1 lang="en" dir="ltr">Safe corridor</h1>' in html
    assert '<div class="practice__text" lang="en" dir="ltr">' in html
    assert 'class="notice notice--info practice__language-note"' in html
    # the practice list it leads back to is the Arabic one
    assert 'href="/ar/practices/?pillar=1"' in html
    # the canonical address stays the original
    assert response.context["canonical_url"].endswith("/en/practices/safe-corridor/")


def test_translated_practice_under_the_original_slug_shows_the_reader_version(client):
    english = PracticeFactory(title="County plans", slug="county-plans")
    translate(english, "ar", title="خطط المقاطعات", slug="khutat")
    response = client.get("/ar/practices/county-plans/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "خطط المقاطعات" in html and "practice__language-note" not in html


def test_unknown_slug_is_still_404(client):
    assert client.get("/ar/practices/no-such-practice/").status_code == 404


def test_related_practices_link_under_the_reader_prefix(client):
    PracticeFactory(title="Safe corridor", slug="safe-corridor", pillars=[1])
    PracticeFactory(title="Prison mentors", slug="prison-mentors", pillars=[1])
    html = client.get("/ar/practices/safe-corridor/").content.decode()
    assert "/ar/practices/prison-mentors/" in card_links(html)


def test_search_hits_link_under_the_reader_prefix(client):
    PracticeFactory(title="Wombat reintegration", slug="wombat-reintegration")
    thread(vetted_expert("zed"), title="Wombat dialogue", body="wombat wombat", language="en")
    drain_search()
    response = client.get("/ar/search/", {"q": "wombat", "lang": "en"})
    html = response.content.decode()
    links = re.findall(r'<h3 class="hit__title"><a href="([^"]+)">', html)
    assert links, html[:2000]
    assert all(link.startswith("/ar/") for link in links), links
    assert any(link.startswith("/ar/forum/t/") for link in links)
    assert "/ar/practices/wombat-reintegration/" in links
    assert 'class="chip chip--small chip--language" lang="en">English<' in html


def test_forum_thread_opens_under_the_reader_prefix(client):
    created = thread(vetted_expert("zed"), title="Wombat dialogue", body="wombat", language="en")
    response = client.get(f"/ar/forum/t/{created.pk}/")
    assert response.status_code == 200
    assert '<html lang="ar"' in response.content.decode()


def test_expert_profile_practices_link_under_the_reader_prefix(client):
    expert = ExpertProfileFactory()
    PracticeFactory(title="Safe corridor", slug="safe-corridor")
    from practices.models import GoodPracticePage

    page = GoodPracticePage.objects.get(slug="safe-corridor")
    page.contact_experts.add(expert)
    page.save_revision().publish()
    html = client.get(f"/ar/experts/{expert.pk}/").content.decode()
    assert 'href="/ar/practices/safe-corridor/"' in html


def test_guidebook_entries_link_to_the_library_under_the_reader_prefix(client):
    practice = PracticeFactory(title="Safe corridor", slug="safe-corridor")
    edition = make_edition([("Prevention", [practice])])
    html = client.get(f"/ar/guidebook/{edition.slug}/").content.decode()
    assert 'href="/ar/practices/safe-corridor/"' in html
