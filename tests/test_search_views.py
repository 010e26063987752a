"""The search page and the /api/v1/search JSON API."""

import json

import pytest

from tests.conftest import drain_search
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practices():
    pages = [
        PracticeFactory(
            title="Youth sport against recruitment",
            pillars=[1],
            countries=["CO"],
            themes=["Youth"],
            language="es",
        ),
        PracticeFactory(
            title="Youth radio in the Sahel",
            pillars=[1, 4],
            countries=["NE"],
            themes=["Youth", "Counter-narratives"],
        ),
        PracticeFactory(
            title="Border data sharing", pillars=[2], countries=["JM"], themes=["Border security"]
        ),
    ]
    drain_search()
    return pages


def api(client, **params):
    return client.get("/api/v1/search", params)


def test_api_returns_hits_facets_and_totals(client, practices):
    response = api(client, q="youth", locale="en")
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 2
    assert {h["title"] for h in data["hits"]} == {
        "Youth sport against recruitment",
        "Youth radio in the Sahel",
    }
    hit = data["hits"][0]
    assert set(hit) >= {"type", "id", "title", "snippet", "url", "language", "cross_language"}
    assert hit["url"].startswith("http://testserver/")
    pillars = {f["value"]: f["count"] for f in data["facets"]["pillar"]}
    assert pillars == {"1": 2, "4": 1}


def test_api_filters_combine(client, practices):
    data = api(client, q="youth", pillar="4").json()
    assert [h["title"] for h in data["hits"]] == ["Youth radio in the Sahel"]
    data = api(client, pillar=["1", "2"], region="latin-america-caribbean").json()
    assert {h["title"] for h in data["hits"]} == {
        "Youth sport against recruitment",
        "Border data sharing",
    }


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"page": "0"}, "page must be a whole number"),
        ({"page": "abc"}, "page must be a whole number"),
        ({"per_page": "500"}, "per_page must be a whole number"),
        ({"sort": "random"}, "sort must be relevance or date"),
        ({"locale": "xx"}, "locale must be one of"),
        ({"pillar": "9"}, "9 is not a known value of pillar"),
        ({"country": "ZZ"}, "ZZ is not a known value of country"),
        ({"q": "x" * 1001}, "q may have at most 1000 characters"),
    ],
)
def test_api_rejects_bad_parameters_with_a_reason(client, params, reason):
    response = api(client, **params)
    assert response.status_code == 400
    assert reason in response.json()["error"]


def test_api_suggestions_for_autocomplete(client, practices):
    data = api(client, q="youth ra", suggest="1", locale="en").json()
    assert "Youth radio in the Sahel" in [s["text"] for s in data["suggestions"]]
    glossary = api(client, q="deradical", suggest="1", locale="en").json()["suggestions"]
    assert any(s["kind"] == "glossary" for s in glossary)


def test_api_answers_hostile_input_without_error(client, practices):
    for q in ['"', "NEAR(", "AND OR NOT", "x" * 1000, "💥", "\u202e", "%ZZ"]:
        assert api(client, q=q).status_code == 200


def test_search_page_shows_hits_facets_and_chips(client, practices):
    html = client.get("/en/search/?q=youth&pillar=4").content.decode()
    assert "1 result" in html
    assert "<mark>Youth</mark> radio in the Sahel" in html
    assert 'href="/en/search/?q=youth"' in html  # the chip removes the pillar filter
    assert 'name="pillar" value="4" checked' in html


def test_search_page_is_right_to_left_in_arabic(client, practices):
    html = client.get("/ar/search/?q=youth").content.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_search_page_forgives_bad_input(client, practices):
    for query in [
        "page=0",
        "page=abc",
        "page=999",
        "pillar=9",
        "q=" + "y" * 10_000,
        "sort=x",
        "q=%ZZ",
        "country=" + "x" * 10_000,
    ]:
        response = client.get(f"/en/search/?{query}")
        assert response.status_code == 200, query


def test_search_page_says_which_other_languages_it_drew_from(client):
    PracticeFactory(
        title="Programme national",
        language="fr",
        summary="Prévention de l'extrémisme violent chez les jeunes",
    )
    drain_search()
    html = client.get("/en/search/?q=violent+extremism").content.decode()
    assert "Results in other languages (Français)" in html


def test_api_json_is_utf8(client, practices):
    PracticeFactory(title="الشباب والرياضة", language="ar", themes=["Youth"])
    drain_search()
    body = api(client, q="الشباب", locale="ar").content.decode()
    assert "الشباب والرياضة" in body
    json.loads(body)


def test_api_suggests_themes_in_the_readers_language(client, practices):
    data = api(client, q="jeun", suggest="1", locale="fr").json()
    jeunesse = {"text": "Jeunesse", "kind": "theme", "language": "fr", "url": None}
    assert jeunesse in data["suggestions"]
