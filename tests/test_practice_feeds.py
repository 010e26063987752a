"""Atom feeds of newly published practices (issue 11, item 16): one per language,
narrowed by pillar and region with the practice list's parameters."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import PracticeFactory, translate

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://kx.example.org"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE


def feed(url):
    response = Client().get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entries(root):
    return {entry.findtext(f"{ATOM}title"): entry for entry in root.findall(f"{ATOM}entry")}


@pytest.fixture
def library():
    kenya = PracticeFactory(
        title="Youth mentoring in Mombasa",
        slug="mombasa",
        pillars=[1],
        countries=["KE"],
        themes=["Youth"],
        organisations=[
            {"type": "organisation", "value": {"name": "Coast Interfaith Council", "website": ""}},
            {"type": "organisation", "value": {"name": "County of Mombasa", "website": ""}},
        ],
    )
    jordan = PracticeFactory(
        title="Prison reform in Jordan", slug="jordan", pillars=[4], countries=["JO"]
    )
    PracticeFactory(title="An unpublished draft", slug="draft", live=False)
    translate(kenya, "fr", title="Mentorat des jeunes à Mombasa")
    PracticeFactory(title="Seulement en français", slug="fr-only", language="fr", countries=["SN"])
    return {"kenya": kenya, "jordan": jordan}


def test_the_english_feed_is_atom_with_only_published_english_practices(library):
    root = feed("/en/practices/feed/")
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert set(entries(root)) == {"Youth mentoring in Mombasa", "Prison reform in Jordan"}
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{BASE}/en/practices/feed/"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == f"{BASE}/en/practices/"


def test_an_entry_has_its_title_summary_link_dates_authors_and_categories(library):
    entry = entries(feed("/en/practices/feed/"))["Youth mentoring in Mombasa"]
    assert entry.find(f"{ATOM}link").get("href") == f"{BASE}/en/practices/mombasa/"
    assert entry.findtext(f"{ATOM}id") == f"{BASE}/en/practices/mombasa/"
    assert entry.findtext(f"{ATOM}summary") == library["kenya"].summary
    assert entry.findtext(f"{ATOM}published")
    assert entry.findtext(f"{ATOM}updated")
    author = entry.findtext(f"{ATOM}author/{ATOM}name")
    assert author == "Coast Interfaith Council, County of Mombasa"
    terms = {c.get("term") for c in entry.findall(f"{ATOM}category")}
    assert "Youth" in terms
    assert any(term.startswith("I. ") for term in terms)


def test_the_french_feed_holds_french_versions_only(library):
    root = feed("/fr/practices/feed/")
    assert set(entries(root)) == {"Mentorat des jeunes à Mombasa", "Seulement en français"}
    assert entries(root)["Mentorat des jeunes à Mombasa"].find(f"{ATOM}link").get("href") == (
        f"{BASE}/fr/practices/mombasa/"
    )
    assert set(entries(feed("/ar/practices/feed/"))) == set()


def test_the_newest_practice_comes_first(library):
    library["jordan"].first_published_at = timezone.now() + timedelta(days=1)
    library["jordan"].save(update_fields=["first_published_at"])
    titles = [
        e.findtext(f"{ATOM}title") for e in feed("/en/practices/feed/").findall(f"{ATOM}entry")
    ]
    assert titles[0] == "Prison reform in Jordan"


def test_the_feed_is_filtered_by_pillar_and_by_region(library):
    assert set(entries(feed("/en/practices/feed/?pillar=4"))) == {"Prison reform in Jordan"}
    assert set(entries(feed("/en/practices/feed/?pillar=1&pillar=4"))) == {
        "Youth mentoring in Mombasa",
        "Prison reform in Jordan",
    }
    kenya_region = library["kenya"].regions.first().slug
    assert set(entries(feed(f"/en/practices/feed/?region={kenya_region}"))) == {
        "Youth mentoring in Mombasa"
    }
    assert set(entries(feed(f"/en/practices/feed/?region={kenya_region}&pillar=4"))) == set()
    root = feed("/en/practices/feed/?pillar=4")
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == (
        f"{BASE}/en/practices/feed/?pillar=4"
    )


@pytest.mark.parametrize(
    "query",
    [
        "pillar=9",
        "pillar=abc",
        "pillar=" + "9" * 10000,
        "region=atlantis",
        "region=" + "x" * 5000,
        "pillar=1&region=nowhere",
    ],
)
def test_an_unknown_pillar_or_region_is_refused_with_the_reason(library, query):
    response = Client().get(f"/en/practices/feed/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "There is no" in response.content.decode()


def test_empty_filter_values_are_ignored(library):
    assert len(entries(feed("/en/practices/feed/?pillar=&region="))) == 2


def test_titles_and_summaries_are_escaped(db):
    PracticeFactory(
        title='<script>alert("x")</script> & co',
        summary="Less <b>than</b> & more",
        slug="escaping",
    )
    response = Client().get("/en/practices/feed/")
    assert b"<script>" not in response.content
    entry = entries(ET.fromstring(response.content))['<script>alert("x")</script> & co']
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "Less &lt;b&gt;than&lt;/b&gt; &amp; more"  # shown as written


def test_the_practice_list_and_the_home_page_announce_the_feed(library):
    listing = Client().get("/en/practices/?pillar=1").content.decode()
    head = listing.split("<body", 1)[0]
    feed_link = f'type="application/atom+xml" href="{BASE}/en/practices/feed/?pillar=1"'
    assert f'<link rel="alternate" {feed_link}' in head
    body = listing.split("<body", 1)[1]
    assert f'href="{BASE}/en/practices/feed/?pillar=1" type="application/atom+xml"' in body
    home = Client().get("/ar/").content.decode().split("<body", 1)[0]
    assert f'type="application/atom+xml" href="{BASE}/ar/practices/feed/"' in home


def test_unknown_filters_on_the_list_announce_the_unfiltered_feed(library):
    head = Client().get("/en/practices/?region=atlantis").content.decode().split("<body", 1)[0]
    assert f'href="{BASE}/en/practices/feed/"' in head
