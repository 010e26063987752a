"""The search relevance evaluation: metrics on synthetic hit lists, the judged set, and one run
of the whole set on the demo content."""

import io
import json
import os
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from search.relevance import (
    DATA_FILE,
    Query,
    check_queries,
    distinct,
    evaluate,
    hit_keys,
    key_from_url,
    load_queries,
    recall_at_k,
    reciprocal_rank,
)
from tests.conftest import drain_search

DEMO_FILE = DATA_FILE.parents[2] / "practices" / "demo" / "practices.json"

# Measured on the demo content when the set was written (embedded index): recall@10 0.70,
# MRR 0.89. The floors leave a margin of 0.1 for small ranking changes; raise them as the
# engine improves.
RECALL_FLOOR = 0.60
MRR_FLOOR = 0.79


def hit(key, language="en", content_type="practice", object_id=0):
    return SimpleNamespace(
        content_type=content_type,
        object_id=object_id,
        url=f"/{language}/practices/{key}/",
        language=language,
        translation_key=key,
    )


def fake_search(results):
    """A search function answering each query text with the given hits."""
    return lambda query, k: results.get(query.q, [])


def url_keys(hits):
    return [key_from_url(h.url) if h.content_type == "practice" else None for h in hits]


def run(queries, results, k=10):
    return evaluate(queries, k=k, search=fake_search(results), keys_of=url_keys)


# --- metrics -----------------------------------------------------------------------------


def test_recall_counts_the_relevant_keys_found_in_the_top_k():
    assert recall_at_k(["a", "b", "c", "d"], ["x", "a", "y", "c"], k=10) == 0.5
    assert recall_at_k(["a", "b"], ["a", "b"], k=10) == 1.0
    assert recall_at_k(["a"], [], k=10) == 0.0
    # Only the first k count.
    assert recall_at_k(["a", "b"], ["x", "a", "b"], k=2) == 0.5


def test_reciprocal_rank_is_one_over_the_rank_of_the_first_relevant_key():
    assert reciprocal_rank(["a", "b"], ["a", "x"]) == 1.0
    assert reciprocal_rank(["a", "b"], ["x", "y", "b", "a"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a"], ["x", "y"]) == 0.0
    assert reciprocal_rank(["a"], ["x", "y", "a"], k=2) == 0.0


def test_a_translated_practice_counts_once_whatever_version_is_hit():
    assert distinct(["a", "a", None, "b", "a"]) == ["a", "b"]
    hits = [hit("a", "fr"), hit("a", "en"), hit("x", "ar"), hit("b", "es")]
    report = run([{"q": "q", "language": "en", "relevant": ["b", "a"]}], {"q": hits})
    result = report.results[0]
    assert result.got == ["a", "x", "b"]
    assert result.recall == 1.0 and result.rr == 1.0
    # Two versions of "a" are one relevant key found, not two.
    report = run([{"q": "q", "language": "en", "relevant": ["a", "z"]}], {"q": hits})
    assert report.results[0].recall == 0.5
    # Ranks are positions in the hit list the user sees.
    report = run([{"q": "q", "language": "en", "relevant": ["b"]}], {"q": hits})
    assert report.results[0].rr == pytest.approx(1 / 4)
    report = run([{"q": "q", "language": "en", "relevant": ["b"]}], {"q": hits}, k=3)
    assert report.results[0].recall == 0.0 and report.results[0].rr == 0.0


def test_hits_map_to_keys_through_the_last_url_segment():
    assert key_from_url("/fr/pratiques/ne-goudoumaria-defectors-reintegration/") == (
        "ne-goudoumaria-defectors-reintegration"
    )
    assert key_from_url("https://kx.example/ar/practices/some-key") == "some-key"
    assert key_from_url("") is None


def test_report_means_per_language_and_the_failing_queries():
    queries = [
        Query("one", "ar", ("a", "b")),
        Query("two", "ar", ("c",)),
        Query("three", "en", ("d", "e")),
        {"q": "four", "language": "fr", "relevant": ["f"]},
    ]
    results = {
        "one": [hit("x"), hit("a"), hit("b")],  # recall 1, rr 1/2
        "two": [hit("x"), hit("y")],  # recall 0, rr 0
        "three": [hit("d"), hit("x")],  # recall 1/2, rr 1
        "four": [hit("f")],  # recall 1, rr 1
    }
    report = run(queries, results)
    overall = report.overall
    assert overall.n == 4
    assert overall.recall == pytest.approx((1 + 0 + 0.5 + 1) / 4)
    assert overall.mrr == pytest.approx((0.5 + 0 + 1 + 1) / 4)
    per_language = report.per_language
    assert list(per_language) == ["ar", "en", "fr"]
    assert per_language["ar"].n == 2
    assert per_language["ar"].recall == pytest.approx(0.5)
    assert per_language["ar"].mrr == pytest.approx(0.25)
    assert per_language["en"].recall == pytest.approx(0.5)
    rows = report.failure_rows()
    assert [row["q"] for row in rows] == ["two", "three"]  # worst first
    assert rows[0] == {
        "q": "two",
        "language": "ar",
        "expected": ["c"],
        "got": ["x", "y"],
        "recall": 0.0,
        "rr": 0.0,
    }
    assert json.dumps(report.as_dict())  # serialisable for CI logs


def test_other_content_types_keep_their_rank_but_never_count_as_relevant(db):
    hits = [hit("x", content_type="event", object_id=7), hit("a", object_id=999_999)]
    # No page 999999: the key falls back on the URL's last segment.
    assert hit_keys(hits) == ["event:7", "a"]
    report = evaluate([Query("q", "en", ("a",))], search=fake_search({"q": hits}))
    assert report.results[0].rr == 0.5


def test_k_must_be_positive():
    with pytest.raises(ValueError):
        evaluate([], k=0)


# --- the judged set ----------------------------------------------------------------------


def test_the_judged_set_is_well_formed():
    queries = load_queries()
    practices = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    keys = {p["key"] for p in practices}
    assert check_queries(queries, keys, min_per_language=12) == []
    pending = practices[-1]["key"]  # load_demo leaves the last practice in moderation
    for query in queries:
        assert 1 <= len(query.relevant) <= 6, query.q
        assert 1 <= len(query.q.split()) <= 5, query.q
        assert pending not in query.relevant, query.q
    assert len({(q.q, q.language) for q in queries}) == len(queries)


def test_check_queries_reports_unknown_keys_and_thin_languages():
    problems = check_queries([Query("q", "en", ("nope", "nope"))], {"a"}, min_per_language=1)
    assert any("nope" in p for p in problems)
    assert any("repeated" in p for p in problems)
    assert any(p.startswith("ar:") for p in problems)


# --- the whole set on the demo content ---------------------------------------------------


def test_the_command_asks_for_the_demo_when_there_is_none(db):
    with pytest.raises(CommandError, match="load_demo"):
        call_command("search_relevance", stdout=io.StringIO())


@override_settings(DEBUG=True, KX_SHOW_DEMO_PASSWORDS=False)
def test_relevance_on_the_demo_content_stays_above_the_floors(db):
    call_command("load_demo", stdout=open(os.devnull, "w"))
    drain_search()

    report = evaluate(load_queries(), k=10)
    overall = report.overall
    assert overall.n >= 48
    assert overall.recall >= RECALL_FLOOR, report.failure_rows()
    assert overall.mrr >= MRR_FLOOR, report.failure_rows()

    out = io.StringIO()
    call_command("search_relevance", "--verbose", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert f"relevance: {overall.n} queries, recall@10 {overall.recall:.2f}" in text
    for code in ("ar", "en", "fr", "es"):
        assert f"\n{code} " in text
    with pytest.raises(CommandError, match="below threshold"):
        call_command(
            "search_relevance", "--min-recall", "1.01", stdout=io.StringIO(), stderr=io.StringIO()
        )
