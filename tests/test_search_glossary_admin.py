"""Moderators extend the glossary in the admin, and searches use a changed concept at once
(no restart): a new concept carries a query across languages, an edited one carries it
through its new terms, a deleted one no longer carries it."""

import re

import pytest
from django.urls import reverse

from search.models import GlossaryConcept
from search.service import SearchRequest, search
from tests.conftest import drain_search
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

# Not in the curated glossary (search/data/glossary.json), so only a moderator's concept
# can carry the English query to Arabic practices.
ENGLISH_TERM = "cattle rustling"
ARABIC_TERM = "سرقة المواشي"
OTHER_ARABIC_TERM = "نهب الماشية"


def url(name, *args):
    return reverse(f"wagtailsnippets_search_glossaryconcept:{name}", args=args)


def concept_form(**overrides):
    data = {
        "key": "cattle-rustling",
        "terms_ar": ARABIC_TERM,
        "terms_en": ENGLISH_TERM,
        "terms_fr": "",
        "terms_es": "",
    }
    data.update(overrides)
    return data


def arabic_practice(title, term):
    return PracticeFactory(
        language="ar",
        title=title,
        summary=f"برنامج يحد من {term} في المناطق الحدودية.",
        challenge="<p>نزاعات بين المجتمعات الرعوية.</p>",
        results="<p>تراجعت النزاعات.</p>",
        human_rights="<p>المشاركة طوعية.</p>",
    )


def found(text="cattle rustling", language="en"):
    return [hit.title for hit in search(SearchRequest(text=text, language=language)).hits]


@pytest.fixture
def herders():
    """An Arabic practice naming the Arabic term, indexed before any concept exists."""
    page = arabic_practice("حماية الرعاة", ARABIC_TERM)
    drain_search()
    return page


def test_moderators_are_granted_the_glossary_permissions(moderator):
    for action in ("add", "change", "delete", "view"):
        assert moderator.has_perm(f"search.{action}_glossaryconcept")


def test_a_moderator_opens_the_glossary_list_and_the_add_form(moderator_client):
    GlossaryConcept.objects.create(
        key="cattle-rustling",
        terms_en="cattle rustling\nlivestock theft",
        terms_ar=ARABIC_TERM,
        terms_fr="vol de bétail",
        terms_es="abigeato",
    )
    response = moderator_client.get(url("list"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("cattle-rustling", "cattle rustling", ARABIC_TERM, "vol de bétail", "abigeato"):
        assert text in page
    assert "livestock theft" not in page  # only the preferred term is listed
    for heading in ("English", "Arabic", "French", "Spanish"):
        assert re.search(rf">\s*{heading}\s*<", page), heading  # the column headings

    response = moderator_client.get(url("add"))
    assert response.status_code == 200
    assert "adds these terms to that concept" in response.content.decode()
    assert "Glossary" in moderator_client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_glossary_list_searches_keys_and_terms(moderator_client):
    GlossaryConcept.objects.create(key="cattle-rustling", terms_ar=ARABIC_TERM)
    GlossaryConcept.objects.create(key="kidnapping-for-ransom", terms_en="kidnapping for ransom")
    for query in ("المواشي", "cattle-rust"):
        page = moderator_client.get(url("list"), {"q": query}).content.decode()
        assert "cattle-rustling" in page and "kidnapping-for-ransom" not in page


def test_a_concept_added_in_the_admin_carries_a_query_across_languages_at_once(
    moderator_client, herders, django_capture_on_commit_callbacks
):
    assert herders.title not in found()

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(url("add"), concept_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    concept = GlossaryConcept.objects.get()
    assert concept.terms()["ar"] == [ARABIC_TERM]

    results = search(SearchRequest(text=ENGLISH_TERM, language="en"))
    assert [hit.title for hit in results.hits] == [herders.title]
    assert results.hits[0].cross_language


@pytest.fixture
def concept(herders, django_capture_on_commit_callbacks):
    """A moderator's concept carrying the English term to the Arabic practice."""
    with django_capture_on_commit_callbacks(execute=True):
        concept = GlossaryConcept.objects.create(
            key="cattle-rustling", terms_en=ENGLISH_TERM, terms_ar=ARABIC_TERM
        )
    assert herders.title in found()
    return concept


def test_editing_a_concept_in_the_admin_changes_the_terms_searches_use(
    moderator_client, concept, django_capture_on_commit_callbacks
):
    raiders = arabic_practice("مكافحة الغارات", OTHER_ARABIC_TERM)
    drain_search()

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(
            url("edit", concept.pk), concept_form(terms_ar=OTHER_ARABIC_TERM)
        )
    assert response.status_code == 302, response.content.decode()[:3000]

    assert found() == [raiders.title]


def test_deleting_a_concept_in_the_admin_stops_it_carrying_queries(
    moderator_client, herders, concept, django_capture_on_commit_callbacks
):

    assert moderator_client.get(url("delete", concept.pk)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(url("delete", concept.pk))
    assert response.status_code == 302
    assert not GlossaryConcept.objects.exists()

    assert herders.title not in found()


def test_a_change_is_used_even_after_the_cache_was_emptied(
    herders, django_capture_on_commit_callbacks
):
    """The glossary's version lives in the cache: emptying it must not bring back a
    glossary this process built before the change."""
    from django.core.cache import cache

    with django_capture_on_commit_callbacks(execute=True):
        concept = GlossaryConcept.objects.create(
            key="cattle-rustling", terms_en=ENGLISH_TERM, terms_ar=ARABIC_TERM
        )
    assert herders.title in found()
    cache.clear()
    assert herders.title in found()
    with django_capture_on_commit_callbacks(execute=True):
        concept.delete()
    assert herders.title not in found()
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        GlossaryConcept.objects.create(
            key="cattle-rustling", terms_en=ENGLISH_TERM, terms_ar=ARABIC_TERM
        )
    assert herders.title in found()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"terms_ar": "", "terms_en": ""}, "Give at least one term."),
        ({"terms_ar": " \n \n", "terms_en": "\n"}, "Give at least one term."),
        (
            {"terms_en": f"{ENGLISH_TERM}\n{'r' * 101}"},
            "A term may have at most 100 characters.",
        ),
        ({"key": ""}, "This field is required."),
        ({"key": "cattle rustling!"}, "Enter a valid “slug”"),
    ],
)
def test_the_add_form_redisplays_bad_input_with_a_message(moderator_client, overrides, message):
    response = moderator_client.post(url("add"), concept_form(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "could not be created due to errors" in page
    assert not GlossaryConcept.objects.exists()


def test_a_term_of_100_characters_is_accepted(moderator_client):
    response = moderator_client.post(url("add"), concept_form(terms_fr="r" * 100))
    assert response.status_code == 302
    assert GlossaryConcept.objects.get().terms()["fr"] == ["r" * 100]


def test_the_add_form_refuses_a_key_already_used(moderator_client):
    GlossaryConcept.objects.create(key="cattle-rustling", terms_en="livestock theft")
    response = moderator_client.post(url("add"), concept_form())
    assert response.status_code == 200
    assert "Glossary concept with this Key already exists." in response.content.decode()
    assert GlossaryConcept.objects.get().terms_en == "livestock theft"


def test_an_expert_cannot_add_a_concept(expert_client, django_capture_on_commit_callbacks):
    assert expert_client.get(url("add")).status_code in (302, 403)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = expert_client.post(url("add"), concept_form())
    assert response.status_code in (302, 403)
    assert not GlossaryConcept.objects.exists()
    assert not callbacks
    assert "Glossary" not in expert_client.get(reverse("wagtailadmin_home")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.post(url("add"), concept_form())
    assert response.status_code == 302
    assert not GlossaryConcept.objects.exists()
