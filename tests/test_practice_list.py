"""The practice list: filters, facet counts, sorting, pages and bad input."""

import re

import pytest

from practices.listing import PracticeListing
from tests.conftest import drain_search
from tests.factories import PracticeFactory, translate

pytestmark = pytest.mark.django_db
LIST_URL = "/en/practices/"


def listing(query, language="en"):
    from django.http import QueryDict
    from django.utils import translation

    with translation.override(language):
        return PracticeListing(QueryDict(query), base_url=LIST_URL)


def facet(result, param):
    return {o.value: o.count for o in next(f for f in result.facets if f.param == param).options}


@pytest.fixture
def library():
    return {
        "ke": PracticeFactory(
            title="Community policing in Mombasa",
            pillars=[1, 2],
            countries=["KE"],
            themes=["Community policing"],
            evidence_stage="validated",
            scale="bilateral",
        ),
        "ma": PracticeFactory(
            title="Training of mourchidates",
            pillars=[1],
            countries=["MA"],
            language="fr",
            themes=["Religious leaders"],
            evidence_stage="scaled_up",
            scale="regional",
        ),
        "co": PracticeFactory(
            title="Deporte para la paz",
            pillars=[3],
            countries=["CO"],
            language="es",
            themes=["Youth"],
            evidence_stage="tested",
            scale="triangular",
        ),
        "id": PracticeFactory(
            title="Prison reintegration in Java",
            pillars=[1, 4],
            countries=["ID"],
            themes=["Prison deradicalisation and reintegration"],
            evidence_stage="adapted",
            scale="interregional",
        ),
    }


def test_lists_every_published_practice_once(library):
    result = listing("")
    assert result.total == 4
    assert {p.title for p in result.items} == {p.title for p in library.values()}


def test_drafts_are_not_listed(library):
    PracticeFactory(title="Unpublished draft", live=False)
    assert "Unpublished draft" not in {p.title for p in listing("").items}


def test_filters_combine_and_across_facets_or_within_one(library):
    assert {p.title for p in listing("pillar=1&pillar=3").items} == {
        "Community policing in Mombasa",
        "Training of mourchidates",
        "Deporte para la paz",
        "Prison reintegration in Java",
    }
    assert {p.title for p in listing("pillar=1&region=africa").items} == {
        "Community policing in Mombasa"
    }
    assert {p.title for p in listing("pillar=3&region=africa").items} == set()


def test_facet_counts_apply_every_other_filter(library):
    result = listing("pillar=1&region=asia-pacific")
    assert result.total == 1
    # Pillar counts ignore the pillar filter itself but respect the region filter.
    assert facet(result, "pillar") == {"1": 1, "2": 0, "3": 0, "4": 1}
    # Region counts ignore the region filter but respect the pillar filter.
    regions = facet(result, "region")
    assert regions["africa"] == 1 and regions["arab-states"] == 1 and regions["asia-pacific"] == 1
    assert regions["latin-america-caribbean"] == 0
    assert facet(result, "stage")["adapted"] == 1


def test_each_option_counts_as_in_the_database(library):
    from practices.models import GoodPracticePage

    result = listing("")
    for number, count in facet(result, "pillar").items():
        assert count == GoodPracticePage.objects.live().filter(pillars__number=number).count()


def test_translation_is_shown_in_the_readers_language_and_counted_once(library):
    translate(library["ke"], "fr", title="Police de proximité à Mombasa")
    english = listing("")
    assert english.total == 4
    assert "Community policing in Mombasa" in {p.title for p in english.items}
    french = listing("", language="fr")
    assert french.total == 4
    titles = {p.title for p in french.items}
    assert "Police de proximité à Mombasa" in titles
    assert "Community policing in Mombasa" not in titles
    assert facet(french, "lang") == {"ar": 0, "en": 2, "fr": 2, "es": 1}


def test_language_filter_means_available_in_that_language(library):
    translate(library["ke"], "fr", title="Police de proximité à Mombasa")
    result = listing("lang=fr")
    assert {p.title for p in result.items} == {
        "Community policing in Mombasa",
        "Training of mourchidates",
    }


def test_theme_and_country_filters(library):
    assert [p.title for p in listing("theme=youth").items] == ["Deporte para la paz"]
    assert [p.title for p in listing("country=ma").items] == ["Training of mourchidates"]


def test_text_box_uses_the_search_service(library):
    drain_search()
    assert [p.title for p in listing("q=mourchidates").items] == ["Training of mourchidates"]
    assert listing("q=reintegrate").total == 4  # every factory summary says "reintegrates"
    assert listing("q=prisons").total == 4  # stemmed: the challenge says "prisons"


def test_sort_by_title(library):
    titles = [p.title for p in listing("sort=title").items]
    assert titles == sorted(titles)


def test_pagination_keeps_filters_in_links(library):
    for n in range(15):
        PracticeFactory(title=f"Extra {n:02}", pillars=[2])
    result = listing("pillar=2")
    assert result.total == 16 and len(result.items) == 12
    assert result.next_url == f"{LIST_URL}?pillar=2&page=2"
    assert len(listing("pillar=2&page=2").items) == 4


def test_the_page_shows_counts_chips_and_state(client, library):
    response = client.get(LIST_URL + "?pillar=1&region=africa&sort=title")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 practice" in html
    assert 'value="1" checked' in html
    # Removing a chip keeps the rest of the state.
    assert 'href="/en/practices/?pillar=1&amp;sort=title"' in html


def test_empty_state_offers_to_remove_filters(client, library):
    html = client.get(LIST_URL + "?pillar=3&region=africa").content.decode()
    assert "No practice matches these filters." in html
    assert 'href="/en/practices/?region=africa"' in html  # drop the pillar
    assert "Show all practices" in html


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=999999",
        "page=abc",
        "page=1e9",
        "page=%00",
        "pillar=99",
        "pillar=abc",
        "region=atlantis",
        "country=ZZ",
        "theme=no-such-theme",
        "stage=proven",
        "scale=galactic",
        "lang=xx",
        "sort=random",
        "q=" + "a" * 10_000,
        "pillar=" + "1" * 10_000,
        "country=" + "x" * 10_000,
        "q=%E0%A4%A",
        "q=%ZZ%",
        "region=%C0%AF",
        "q=%F0%9F%98%80",
        "q=<script>alert(1)</script>",
        "pillar=1&" * 500,
    ],
)
def test_bad_list_urls_give_a_sensible_page(client, library, query):
    response = client.get(f"{LIST_URL}?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert re.search(r"\d+ practices?", html)


def test_unknown_filter_values_are_reported_and_ignored(client, library):
    html = client.get(LIST_URL + "?region=atlantis").content.decode()
    assert "were not recognised and were ignored" in html
    assert "4 practices" in html


def test_query_count_does_not_grow_with_the_number_of_practices(client, library):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = LIST_URL + "?pillar=1&region=africa"

    def cold_request_queries():
        from django.core.cache import cache

        cache.clear()  # counts and vocabularies computed afresh, as after a publication
        client.get(url)  # Wagtail's own caches (site root paths) warm
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    few = cold_request_queries()
    for n in range(20):
        PracticeFactory(title=f"More {n}", pillars=[1], countries=["KE"], themes=["Youth"])
    assert cold_request_queries() == few


def test_counts_are_cached_until_content_changes(client, library):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = LIST_URL + "?pillar=1&region=africa"
    client.get(url)
    with CaptureQueriesContext(connection) as warm:
        assert "1 practice" in client.get(url).content.decode()
    PracticeFactory(title="Fresh one", pillars=[1], countries=["KE"])
    with CaptureQueriesContext(connection) as after_publish:
        assert "2 practices" in client.get(url).content.decode()
    assert len(after_publish) > len(warm)
