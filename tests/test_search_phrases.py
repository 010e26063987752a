"""Glossary phrases held as single tokens in the embedded index (embedded_phrases), and
the scoring of only the best documents (embedded_query.Search.best)."""

import io
import pickle
import sqlite3

import pytest
from django.core.management import call_command

from search.backends import embedded_query
from search.backends.embedded import EmbeddedIndex, get_index
from search.backends.embedded_bitmaps import snapshot
from search.backends.embedded_phrases import PhraseIndex, phrase_token, stored
from search.backends.embedded_query import fts_expression
from search.documents import DOCUMENTS
from search.glossary import get_glossary, glossary_changed
from search.query import parse
from search.service import SearchRequest, search
from tests.conftest import drain_search
from tests.expert_factories import ExpertProfileFactory
from tests.factories import PracticeFactory, translate

EN = {"en": [("young", "peopl"), ("young", "peopl", "first"), ("social", "reintegr")]}


# --- finding phrases in analysed text -------------------------------------------------------
def test_a_phrase_is_found_wherever_it_occurs_and_as_often():
    phrases = PhraseIndex(EN)
    young = phrase_token("en", ("young", "peopl"))
    text = "en_young en_peopl en_and en_young en_peopl"
    assert phrases.found_in(text, "en") == [young, young]
    assert phrases.with_phrases(text, "en") == f"{text} {young} {young}"


def test_a_phrase_is_found_only_as_whole_tokens_in_order():
    phrases = PhraseIndex(EN)
    for text in (
        "en_young en_peoples",  # a longer last token
        "en_youngest en_peopl",  # a longer first token
        "en_peopl en_young",  # another order
        "en_young en_and en_peopl",  # apart
        "fr_young fr_peopl",  # another language's tokens
    ):
        assert phrases.found_in(text, "en") == [], text
    assert phrases.found_in("en_young en_peopl", "fr") == []


def test_overlapping_phrases_are_all_found():
    phrases = PhraseIndex(EN)
    found = phrases.found_in("en_a en_young en_peopl en_first", "en")
    assert found == [
        phrase_token("en", ("young", "peopl")),
        phrase_token("en", ("young", "peopl", "first")),
    ]


def test_phrase_tokens_are_one_token_distinct_per_language_and_survive_the_meta_table():
    from search.backends import embedded, embedded_phrases

    assert embedded_phrases.SEPARATOR == embedded.SEPARATOR  # one token layout
    token = phrase_token("ar", ("اعاد", "ادماج"))
    assert " " not in token and token.startswith("p_ar_")
    assert token != phrase_token("fr", ("اعاد", "ادماج"))
    phrases = PhraseIndex({"ar": [["اعاد", "ادماج"]], **EN, "xx": [["a", "b"]]})
    again = PhraseIndex.from_json(phrases.to_json())
    assert again.tokens == phrases.tokens and len(again) == 4
    assert again.token("ar", ("اعاد", "ادماج")) == token
    assert again.token("en", ("young",)) is None  # one word is no phrase
    # As sent to a rebuild's workers: read back into one shared object.
    assert pickle.loads(pickle.dumps(phrases)) is pickle.loads(pickle.dumps(again))
    assert pickle.loads(pickle.dumps(phrases)).tokens == phrases.tokens


# --- in the index ---------------------------------------------------------------------------
def status():
    out = io.StringIO()
    call_command("search_status", stdout=out)
    return out.getvalue()


def index_conn():
    return sqlite3.connect(get_index().path)


def count(conn, expression):
    return conn.execute(
        "SELECT count(*) FROM docs_fts WHERE docs_fts MATCH ?", [expression]
    ).fetchone()[0]


def test_an_empty_index_chooses_its_phrases_with_its_first_document(db):
    assert "chosen when the first document is indexed" in status()
    assert not len(stored(index_conn()))
    PracticeFactory(title="Young people first", language="en")
    drain_search()
    assert stored(index_conn()).tokens == PhraseIndex.from_glossary(get_glossary()).tokens
    assert "held as tokens" in status() and "newer" not in status()


@pytest.fixture
def library(db):
    pages = [
        PracticeFactory(
            title="Young people first",
            summary="Social reintegration for young people leaving prison.",
            language="en",
        ),
        PracticeFactory(
            title="Mentoring",
            summary="Young mentors meet people released from prison.",  # not the phrase
            language="en",
        ),
        PracticeFactory(
            title="إعادة الإدماج",
            summary="برنامج لإعادة الإدماج الاجتماعي للشباب ومنع التطرف العنيف",
            language="ar",
        ),
        PracticeFactory(
            title="Extrémisme violent",
            summary="Prévention de l'extrémisme violent et police de proximité.",
            language="fr",
        ),
        PracticeFactory(
            title="Extremismo violento",
            summary="Prevención del extremismo violento entre jóvenes.",
            language="es",
        ),
    ]
    drain_search()
    return pages


def test_every_phrase_token_matches_exactly_the_documents_holding_the_phrase(library):
    phrases = stored(index_conn())
    assert len(phrases) > 500  # the glossary's phrases, fixed when the first document came
    conn = index_conn()
    found = 0
    for language, per_language in phrases.tokens.items():
        for tokens, token in per_language.items():
            positional = " ".join(f"{language}_{t}" for t in tokens)
            expected = count(conn, f'"{positional}"')
            assert count(conn, f'"{token}"') == expected, positional
            found += expected
    assert found >= 5


def test_queries_ask_for_phrase_tokens_and_find_the_same_documents(library):
    snap = snapshot(index_conn(), str(get_index().path))
    parsed = parse("young people", "en")
    with_tokens = fts_expression(parsed.clauses, None, snap.phrases)
    positional = fts_expression(parsed.clauses)
    assert phrase_token("en", ("young", "peopl")) in with_tokens
    assert "en_young en_peopl" in positional
    conn = index_conn()
    assert count(conn, with_tokens) == count(conn, positional) > 0
    results = search(SearchRequest(text="young people", language="en"))
    assert results.hits[0].title == "Young people first"
    assert "Mentoring" not in [h.title for h in results.hits[:1]]


def test_a_phrase_added_to_the_glossary_later_is_found_before_and_after_a_rebuild(library):
    from search.models import GlossaryConcept

    PracticeFactory(
        title="Hawala networks",
        summary="Tracing informal value transfer through hawala brokers.",
        language="en",
    )
    PracticeFactory(
        title="تتبع التحويلات",
        summary="رصد شبكات الحوالة غير الرسمية",
        language="ar",
    )
    drain_search()
    GlossaryConcept.objects.create(
        key="hawala-networks",
        terms_en="informal value transfer",
        terms_ar="شبكات الحوالة",
    )
    glossary_changed()
    assert get_glossary().phrases("hawala-networks", "en")
    index = get_index()
    assert stored(index_conn()).token("en", ("inform", "valu", "transfer")) is None
    assert "2 newer ones matched by position" in status()

    def titles():
        results = search(SearchRequest(text="informal value transfer", language="en"))
        return [h.title for h in results.hits]

    before = titles()
    assert before[0] == "Hawala networks" and "تتبع التحويلات" in before  # via positions
    EmbeddedIndex(index.path).rebuild(DOCUMENTS.values(), workers=1)
    rebuilt = stored(index_conn())
    assert rebuilt.token("en", tuple(get_glossary().phrases("hawala-networks", "en")[0]))
    assert titles() == before  # via the phrase tokens
    assert "newer" not in status() and "held as tokens" in status()


def test_visibility_is_not_a_token(library):
    """Tiers are checked on the snapshot (tests/test_roster_search.py shows they hold)."""
    rows = index_conn().execute("SELECT filters FROM docs_fts").fetchall()
    tokens = {t for (filters,) in rows for t in filters.split()}
    assert tokens and not any(t.startswith("v_") for t in tokens)


# --- scoring only the best documents --------------------------------------------------------
def pages_of(text, language, per_page=2, user=None, **filters):
    hits, page = [], 1
    while True:
        results = search(
            SearchRequest(
                text=text,
                language=language,
                filters=filters,
                page=page,
                per_page=per_page,
                user=user,
            )
        )
        hits += [(h.content_type, h.object_id, h.language) for h in results.hits]
        if page >= results.num_pages:
            return hits, results.total
        page += 1


def test_scoring_only_the_best_documents_ranks_like_scoring_them_all(
    library, monkeypatch, moderator
):
    for n in range(4):
        page = PracticeFactory(
            title=f"Prison education {n}",
            summary="Young people learn a trade in prison." * (n + 1),
            language="en",
        )
        translate(page, "fr", title=f"Éducation en prison {n}", summary="Jeunes en prison.")
    filler = " ".join(["Community dialogue and family support across the region."] * 12)
    for n in range(2):  # "prison" once, deep in a long text: a low score
        PracticeFactory(
            title=f"Dialogue {n}",
            summary="Dialogue.",
            challenge=f"<p>{filler} Also in prison.</p>",
            language="en",
        )
    for n in range(30):  # in Arabic, found by the English theme name: the tier below
        PracticeFactory(title=f"برنامج {n}", language="ar", themes=["Prison reform"])
    for n in range(3):
        ExpertProfileFactory(
            display_name=f"Prison expert {n}",
            biography="Prison education and social reintegration of young people.",
        )
    drain_search()
    queries = [
        ("prison", "en", {}),
        ("young people prison", "en", {}),
        ("prison", "fr", {}),
        ("extrémisme violent", "fr", {}),
        ("prison", "en", {"type": ["expert"]}),
    ]
    for user in (None, moderator):  # a moderator reads an expert's every tier
        for text, language, filters in queries:
            monkeypatch.setattr(embedded_query, "MIN_SCORED", 10_000)
            everything = pages_of(text, language, user=user, **filters)
            monkeypatch.setattr(embedded_query, "MIN_SCORED", 1)
            assert pages_of(text, language, user=user, **filters) == everything, text
            assert everything[1] == len(everything[0]) > 0
