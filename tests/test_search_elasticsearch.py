"""The Elasticsearch backend without a server.

Every request body the backend sends is built by the real code and validated against
Elastic's OpenAPI description of the REST API (components.requestBodies.<name>, or the
operation's inline body when the description has no named one), with jsonschema's Draft
2020-12 validator and the whole document registered as one resource. The description has
three known artefacts, repaired here before validating:

* its unions are `oneOf`s whose branches overlap (a Duration "-1" is both a string and the
  enum "-1"; every bulk line is both an action and "an object"), so a valid value matches
  several branches and `oneOf` rejects it: unions are read as `anyOf`;
* an aggregation container's "exactly one aggregation type" is written as maxProperties 1
  over all its keys, so any bucket aggregation with sub-aggregations fails: it is read as
  "exactly one of the aggregation-type keys";
* the serverless description leaves shard settings out of IndexSettings (serverless
  manages them), so IndexSettings is not made strict.

Unknown keys pass an OpenAPI object schema, so the schemas of the objects the backend
builds are validated under `unevaluatedProperties: false` (STRICT_SCHEMAS, and the top
level of every body), and the keys the backend relies on are asserted explicitly too.
The DSL writes `aggs`; it is mapped to `aggregations` before validating.

The management command is exercised against a closed port (Elasticsearch down) and a stub
backend; the live suite (tests/live) runs the same scenarios against a real cluster.
"""

import copy
import functools
import gzip
import json
import os
import re
import signal
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig, ObjectApiResponse
from elasticsearch import NotFoundError

from kx_platform import vocabularies
from search.backends import elastic
from search.backends.elastic import (
    TIER_BONUS,
    BulkError,
    ElasticBackend,
    alias_swap_body,
    bulk_body,
    full_count_body,
    index_body,
    parse_response,
    search_body,
)
from search.documents import FACETS, LANGUAGE_ANALYZERS, PracticeDocument
from search.management.commands import search_sync
from search.models import OutboxEntry
from search.plan import MIN_FULL_MATCHES, SearchPlan
from search.query import parse
from search.service import SearchRequest, search
from tests.conftest import drain_search
from tests.data.elasticsearch_subset import STRICT_SCHEMAS, SUBSET
from tests.factories import PracticeFactory, translate
from tests.postgres_cluster import free_port

# The part of Elastic's OpenAPI description these tests use, vendored (tests/data/README.md);
# KX_ELASTICSEARCH_OPENAPI may name the whole description instead.
SPEC_FILE = Path(os.environ.get("KX_ELASTICSEARCH_OPENAPI", SUBSET))
SPEC_URI = "urn:kx:elasticsearch-openapi"
TEXT_FIELDS = ("title", "summary", "body", "themes")


# --- validating against the API description ---------------------------------------------------
def _as_any_of(node):
    if isinstance(node, dict):
        if "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _as_any_of(value)
    elif isinstance(node, list):
        for value in node:
            _as_any_of(value)


@functools.cache
def _registry():
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    opener = gzip.open if SPEC_FILE.suffix == ".gz" else open
    with opener(SPEC_FILE, "rt", encoding="utf-8") as spec_file:
        spec = json.load(spec_file)
    _as_any_of(spec)
    schemas = spec["components"]["schemas"]
    types = schemas["_types.aggregations.AggregationContainer"]["allOf"][1]
    types.pop("minProperties")
    types.pop("maxProperties")
    types["oneOf"] = [{"required": [name]} for name in types["properties"]]
    for name in STRICT_SCHEMAS:
        schemas[name]["unevaluatedProperties"] = False
    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    return spec, Registry().with_resource(SPEC_URI, resource)


def _pointer(*parts):
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def request_schema(name):
    """A reference to the JSON request body schema of API `name` (e.g. "indices.create")."""
    spec, _ = _registry()
    if name in spec["components"]["requestBodies"]:
        return _pointer(
            "components", "requestBodies", name, "content", "application/json", "schema"
        )
    operation_id = name.replace(".", "-").replace("_", "-")
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                body = operation["requestBody"]
                assert "$ref" not in body, body
                return _pointer(
                    "paths", path, method, "requestBody", "content", "application/json", "schema"
                )
    raise LookupError(name)


def _leaves(error):
    if error.context:
        for sub in error.context:
            yield from _leaves(sub)
    else:
        yield error


def schema_errors(pointer, body, strict_top=True):
    from jsonschema import Draft202012Validator

    _, registry = _registry()
    schema = {"$ref": SPEC_URI + pointer}
    if strict_top:
        schema["unevaluatedProperties"] = False
    validator = Draft202012Validator(schema, registry=registry)
    return sorted(
        {
            f"{leaf.message[:200]} at /{'/'.join(map(str, leaf.absolute_path))}"
            for error in validator.iter_errors(body)
            for leaf in _leaves(error)
        }
    )


def validate(name, body):
    errors = schema_errors(request_schema(name), body)
    assert not errors, "\n".join(errors[:20])


def canonical(body):
    """The body with the DSL's `aggs` under their canonical name, `aggregations`."""
    body = copy.deepcopy(body)

    def fix(container):
        if "aggs" in container:
            container["aggregations"] = container.pop("aggs")
        for sub in container.get("aggregations", {}).values():
            fix(sub)

    fix(body)
    return body


def validate_bulk(lines):
    validate("bulk", lines)
    action = _pointer("components", "schemas", "_global.bulk.OperationContainer")
    expect_source = False
    for line in lines:
        if expect_source:
            expect_source = False
            continue
        assert not schema_errors(action, line, strict_top=False), line
        ((op, _meta),) = line.items()
        expect_source = op in ("index", "create")


# --- plans and fakes --------------------------------------------------------------------------
def plan_for(text, language="en", **kwargs):
    parsed = parse(text, language)
    return SearchPlan(
        language=parsed.language,
        clauses=parsed.clauses,
        texts=parsed.texts,
        strict=parsed.strict,
        **kwargs,
    )


def _meta(status=200):
    return ApiResponseMeta(
        status=status,
        http_version="1.1",
        headers=HttpHeaders(),
        duration=0.0,
        node=NodeConfig("http", "localhost", 9200),
    )


def response(body, status=200):
    return ObjectApiResponse(body=body, meta=_meta(status))


def not_found(what):
    return NotFoundError("index_not_found_exception", _meta(404), {"error": what})


class FakeIndices:
    def __init__(self, client):
        self.client = client

    def _aliases(self):
        return self.client.aliases

    def exists_alias(self, name):
        self.client.calls.append(("exists_alias", name))
        return any(name in aliases for aliases in self._aliases().values())

    def get_alias(self, name):
        self.client.calls.append(("get_alias", name))
        found = {i: {"aliases": {name: {}}} for i, a in self._aliases().items() if name in a}
        if not found:
            raise not_found(name)
        return response(found)

    def create(self, index, body):
        self.client.calls.append(("create", index, body))
        self.client.aliases[index] = set(body.get("aliases", {}))
        return response({"acknowledged": True, "index": index})

    def update_aliases(self, body=None, actions=None):
        body = body or {"actions": actions}
        self.client.calls.append(("update_aliases", body))
        for action in body["actions"]:
            ((kind, spec),) = action.items()
            if kind == "add":
                self.client.aliases[spec["index"]].add(spec["alias"])
            else:
                self.client.aliases.get(spec["index"], set()).discard(spec["alias"])
        return response({"acknowledged": True})

    def put_settings(self, index, settings):
        self.client.calls.append(("put_settings", index, settings))
        return response({"acknowledged": True})

    def refresh(self, index):
        self.client.calls.append(("refresh", index))
        return response({})

    def delete(self, index, ignore_unavailable=False):
        self.client.calls.append(("delete", index))
        self.client.aliases.pop(index, None)
        return response({"acknowledged": True})


class FakeClient:
    """Records the requests; answers like a cluster that accepts everything."""

    def __init__(self, aliases=None, bulk_items=None, search_response=None, full_matches=0):
        self.full_matches = full_matches  # the answer to a search's count of full matches
        self.calls = []
        self.aliases = {k: set(v) for k, v in (aliases or {}).items()}
        self.bulk_items = bulk_items  # a function (operations) -> items, or None: all fine
        self.search_response = search_response
        self.indices = FakeIndices(self)

    def bulk(self, operations, **params):
        self.calls.append(("bulk", operations, params))
        if self.bulk_items:
            items = self.bulk_items(operations)
        else:
            items = [
                {op: {"_index": meta["_index"], "_id": meta["_id"], "status": 201}}
                for line in operations
                for op, meta in line.items()
                if op in ("index", "create", "delete")
            ]
        errors = any(next(iter(i.values()))["status"] >= 300 for i in items)
        return response({"took": 1, "errors": errors, "items": items})

    def search(self, index, body):
        self.calls.append(("search", index, body))
        return response(self.search_response or {"hits": {"hits": []}, "aggregations": {}})

    def count(self, index, body=None):
        self.calls.append(("count", index) if body is None else ("count", index, body))
        if body is not None:
            return response({"count": self.full_matches})
        if not any(index in a for a in self.aliases.values()):
            raise not_found(index)
        return response({"count": 7})

    def named(self, name):
        return [c for c in self.calls if c[0] == name]


def backend_with(client, prefix="kx"):
    return ElasticBackend("http://es.invalid:9200", prefix=prefix, client=client)


# --- index creation -------------------------------------------------------------------------
def test_index_body_is_a_valid_create_request_with_the_language_analyzers():
    names = elastic.index_names("practice", "kx")
    aliases = {names.read: {}, names.write: {"is_write_index": True}}
    body = index_body(PracticeDocument, aliases=aliases)
    validate("indices.create", body)
    validate("indices.create", index_body(PracticeDocument, loading=True))

    properties = body["mappings"]["properties"]
    for name in TEXT_FIELDS:
        assert properties[name]["type"] == "text"
        assert properties[name]["analyzer"] == "standard"
        for code, analyzer in LANGUAGE_ANALYZERS.items():
            assert properties[name]["fields"][code] == {"type": "text", "analyzer": analyzer}
    assert properties["title"]["fields"]["ar"]["analyzer"] == "arabic"
    for facet in {*FACETS, *vocabularies.FACETS}:
        assert properties[f"facet_{facet}"] == {"type": "keyword"}, facet
    for name in ("translation_key", "language", "visibility", "content_type"):
        assert properties[name] == {"type": "keyword"}
    assert properties["published_at"]["type"] == "date"
    assert properties["suggest"]["type"] == "completion"
    assert body["settings"] == {"number_of_shards": 1, "number_of_replicas": 0}
    assert body["aliases"] == {"kx-practice": {}, "kx-practice-write": {"is_write_index": True}}
    assert index_body(PracticeDocument, loading=True)["settings"]["refresh_interval"] == "-1"


# --- bulk -------------------------------------------------------------------------------------
def test_bulk_body_indexes_and_deletes_through_the_write_alias(db):
    page = PracticeFactory(
        title="Youth centres", pillars=[1, 4], countries=["MA"], themes=["Youth"]
    )
    prepared = PracticeDocument.prepare(page)
    lines = bulk_body(PracticeDocument, [prepared], [991, 992])
    validate_bulk(lines)

    assert lines[0] == {"index": {"_index": "kx-practice-write", "_id": f"practice-{page.pk}"}}
    source = lines[1]
    assert source == PracticeDocument.to_elasticsearch(prepared)
    mapped = set(index_body(PracticeDocument)["mappings"]["properties"])
    assert set(source) <= mapped, set(source) - mapped  # nothing dynamic slips in
    assert source["facet_pillar"] == ["1", "4"]
    assert source["facet_country"] == ["MA"]
    assert source["translation_key"] == str(page.translation_key)
    assert isinstance(source["published_at"], str)
    assert lines[2:] == [
        {"delete": {"_index": "kx-practice-write", "_id": "practice-991"}},
        {"delete": {"_index": "kx-practice-write", "_id": "practice-992"}},
    ]

    twice = bulk_body(PracticeDocument, [prepared], [5], targets=["a", "b"], op_type="create")
    validate_bulk(twice)
    doc_id = f"practice-{page.pk}"
    assert twice == [
        {"create": {"_index": "a", "_id": doc_id}},
        source,
        {"create": {"_index": "b", "_id": doc_id}},
        source,
        {"delete": {"_index": "a", "_id": "practice-5"}},
        {"delete": {"_index": "b", "_id": "practice-5"}},
    ]


# --- aliases ----------------------------------------------------------------------------------
def test_alias_swap_moves_both_aliases_in_one_request():
    body = alias_swap_body("practice", "kx-practice-v1", "kx-practice-v2", prefix="kx")
    validate("indices.update_aliases", body)
    assert body["actions"] == [
        {"remove": {"index": "kx-practice-v1", "alias": "kx-practice", "must_exist": False}},
        {"remove": {"index": "kx-practice-v1", "alias": "kx-practice-write", "must_exist": False}},
        {"add": {"index": "kx-practice-v2", "alias": "kx-practice"}},
        {"add": {"index": "kx-practice-v2", "alias": "kx-practice-write", "is_write_index": True}},
    ]
    staged = alias_swap_body("practice", ["a", "b"], "c", prefix="kx", staging=True)
    validate("indices.update_aliases", staged)
    assert staged["actions"][-1] == {
        "remove": {"index": "c", "alias": "kx-practice-rebuilding", "must_exist": False}
    }
    assert alias_swap_body("practice", None, "c", prefix="kx")["actions"][0]["add"]["index"] == "c"


# --- search -------------------------------------------------------------------------------
def _queries(node, kind):
    """Every `kind` query inside a query tree."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == kind:
                found.append(value)
            found.extend(_queries(value, kind))
    elif isinstance(node, list):
        for value in node:
            found.extend(_queries(value, kind))
    return found


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_text_search_body(sort):
    plan = plan_for(
        "l'extrémisme violent dans les prisons",
        "fr",
        filters={"pillar": ["1"], "country": ["KE", "MA"]},
        facets=["pillar", "country", "lang"],
        offset=20,
        limit=10,
        sort=sort,
    )
    body = search_body(plan)
    validate("search", canonical(body))

    assert body["from"] == 20 and body["size"] == 10
    assert body["collapse"]["field"] == "translation_key"
    assert body["track_total_hits"] is False
    # Visibility filters the query; the facet filters are a post_filter.
    assert body["query"]["bool"]["filter"] == [{"terms": {"visibility": ["public"]}}]
    assert body["post_filter"] == {
        "bool": {
            "filter": [
                {"terms": {"facet_country": ["KE", "MA"]}},
                {"terms": {"facet_pillar": ["1"]}},
            ]
        }
    }

    # One clause per document language, on that language's sub-fields, with what the user
    # typed (elided article gone) rather than the embedded index's stems.
    (match,) = body["query"]["bool"]["must"]
    clauses = match["bool"]["should"]
    assert match["bool"]["minimum_should_match"] == 1
    assert [c["bool"]["filter"] for c in clauses] == [
        [{"term": {"language": {"value": code}}}] for code in ("ar", "en", "fr", "es")
    ]
    french = clauses[2]["bool"]["should"]
    phrases = [m for unit in french for m in _queries(unit, "multi_match")]
    assert all(m["type"] == "phrase" for m in phrases)
    assert phrases[0]["fields"] == ["title.fr^10", "summary.fr^4", "body.fr", "themes.fr^3"]
    texts = {m["query"] for m in phrases}
    assert "extrémisme violent" in texts and "prisons" in texts
    assert "extrem" not in texts and not any(t.startswith("l'") for t in texts)

    # Tiers: a bonus for the query's language, a double one for full matches.
    bonuses = body["query"]["bool"]["should"]
    assert bonuses[0] == {
        "constant_score": {"filter": {"term": {"language": {"value": "fr"}}}, "boost": TIER_BONUS}
    }
    assert bonuses[1]["constant_score"]["boost"] == 2 * TIER_BONUS
    full = bonuses[1]["constant_score"]["filter"]["bool"]["should"]
    assert all("must" in clause["bool"] for clause in full)

    # Facets: every filter but the facet's own, counting translation groups.
    aggs = body["aggs"]
    assert aggs["facet_pillar"]["filter"] == {
        "bool": {"filter": [{"terms": {"facet_country": ["KE", "MA"]}}]}
    }
    assert aggs["facet_country"]["filter"] == {
        "bool": {"filter": [{"terms": {"facet_pillar": ["1"]}}]}
    }
    assert aggs["facet_lang"]["filter"] == body["post_filter"]
    for facet in ("pillar", "country", "lang"):
        values = aggs[f"facet_{facet}"]["aggs"]["values"]
        assert values["terms"] == {"field": f"facet_{facet}", "size": elastic.FACET_SIZE}
        assert values["aggs"]["keys"]["cardinality"] == {
            "field": "translation_key",
            "precision_threshold": 40000,
        }
    assert aggs["total"]["filter"] == body["post_filter"]
    assert aggs["total"]["aggs"]["keys"]["cardinality"]["field"] == "translation_key"
    cross = aggs["cross"]
    assert cross["filter"]["bool"]["must_not"] == [{"term": {"language": {"value": "fr"}}}]
    assert cross["aggs"]["languages"]["terms"]["field"] == "language"

    if sort == "relevance":
        highlight = body["highlight"]
        assert body["sort"][0] == {"_score": {"order": "desc"}}
        assert body["_source"] == {"includes": elastic.HIT_FIELDS}
    else:
        highlight = body["collapse"]["inner_hits"]["highlight"]
        assert body["sort"] == [{"published_at": {"order": "desc", "missing": "_last"}}]
        assert body["collapse"]["inner_hits"]["sort"][0] == {"_score": {"order": "desc"}}
    assert highlight["pre_tags"] == ["<mark>"] and highlight["post_tags"] == ["</mark>"]
    assert [list(f)[0] for f in highlight["fields"]] == ["body.ar", "body.en", "body.fr", "body.es"]
    assert highlight["fields"][2]["body.fr"]["fragment_size"] == 240


def test_browse_body_is_newest_first_with_the_query_language_preferred():
    body = search_body(SearchPlan(language="ar", facets=list(vocabularies.FACETS)))
    validate("search", canonical(body))
    assert body["sort"] == [{"published_at": {"order": "desc", "missing": "_last"}}]
    assert "highlight" not in body and "post_filter" not in body and "cross" not in body["aggs"]
    assert body["query"]["bool"]["should"] == [
        {"constant_score": {"filter": {"term": {"language": {"value": "ar"}}}, "boost": 1.0}}
    ]
    inner = body["collapse"]["inner_hits"]
    assert inner["name"] == "best" and inner["size"] == 1
    assert body["aggs"]["total"]["filter"] == {"match_all": {}}


def test_a_list_filter_requires_full_matches():
    plan = plan_for("youth radicalisation", "en", filters={"type": ["practice"]}, limit=2000)
    plan.require_all = True
    body = search_body(plan)
    validate("search", canonical(body))
    (match,) = body["query"]["bool"]["must"]
    assert all("must" in clause["bool"] for clause in match["bool"]["should"])
    assert len(body["query"]["bool"]["should"]) == 1  # no partial tiers to tell apart
    assert body["size"] == 2000


def test_the_validator_is_not_vacuous():
    bad = {
        "query": {"bool": {"fliter": [], "must": [{"multi_match": {"qurey": "x"}}]}},
        "colapse": {"field": "translation_key"},
        "highlight": {"pre_tag": ["<mark>"], "fields": [{"body.en": {"fragmentsize": 3}}]},
        "aggregations": {"a": {"terms": {"feild": "x"}}},
    }
    errors = " ".join(schema_errors(request_schema("search"), bad))
    for key in ("fliter", "qurey", "colapse", "pre_tag", "fragmentsize", "feild"):
        assert key in errors, key
    bad_index = {"mappings": {"properties": {"t": {"type": "text", "analyzr": "arabic"}}}}
    assert "analyzr" in " ".join(schema_errors(request_schema("indices.create"), bad_index))
    bad_alias = {"actions": [{"add": {"index": "a", "alias": "b", "is_write": True}}]}
    assert "is_write" in " ".join(
        schema_errors(request_schema("indices.update_aliases"), bad_alias)
    )


def test_plans_without_texts_fall_back_to_the_analysed_tokens():
    plan = plan_for("prisons", "en")
    plan.texts = {}
    english = search_body(plan)["query"]["bool"]["must"][0]["bool"]["should"][1]
    assert _queries(english, "multi_match")[0]["query"] == "prison"


# --- responses ------------------------------------------------------------------------------
def _hit(doc_id, language, score, key="k1", highlight=None):
    hit = {
        "_id": doc_id,
        "_score": score,
        "_source": {
            "content_type": "practice",
            "object_id": int(doc_id.split("-")[1]),
            "translation_key": key,
            "language": language,
            "title": f"Title {doc_id}",
            "summary": "A summary.",
            "url": f"/{language}/{doc_id}/",
            "published_at": "2024-05-01T10:00:00+00:00",
        },
    }
    if highlight:
        hit["highlight"] = highlight
    return hit


def test_parse_response_gives_tiers_scores_facets_and_cross_languages():
    plan = plan_for("prison policy", "en", facets=["pillar", "lang"])
    data = {
        "hits": {
            "hits": [
                _hit(
                    "practice-1",
                    "en",
                    3 * TIER_BONUS + 12.5,
                    "a",
                    {"body.en": ["Three <mark>prisons</mark> adopted <mark>policies</mark>."]},
                ),
                _hit("practice-2", "fr", 2 * TIER_BONUS + 7.0, "b"),
                _hit("practice-3", "en", TIER_BONUS + 3.0, "c"),
                _hit("practice-4", "es", 1.5, "d"),
            ]
        },
        "aggregations": {
            "total": {"doc_count": 5, "keys": {"value": 4}},
            "facet_pillar": {
                "doc_count": 5,
                "values": {
                    "buckets": [
                        {"key": "1", "doc_count": 3, "keys": {"value": 2}},
                        {"key": "4", "doc_count": 1, "keys": {"value": 1}},
                    ]
                },
            },
            "facet_lang": {
                "doc_count": 5,
                "values": {
                    "buckets": [
                        {"key": "en", "doc_count": 2, "keys": {"value": 2}},
                    ]
                },
            },
            "cross": {
                "doc_count": 2,
                "languages": {
                    "buckets": [
                        {"key": "fr", "doc_count": 1},
                        {"key": "es", "doc_count": 1},
                    ]
                },
            },
        },
    }
    results = parse_response(plan, data)
    assert [h.tier for h in results.hits] == [0, 1, 2, 3]
    assert [h.score for h in results.hits] == [12.5, 7.0, 3.0, 1.5]
    assert [h.cross_language for h in results.hits] == [False, True, False, True]
    first = results.hits[0]
    assert first.doc_id == "practice-1" and first.object_id == 1 and first.translation_key == "a"
    assert first.body == "Three prisons adopted policies."
    assert results.hits[1].body == ""
    assert results.total == 4
    assert results.facet_counts == {"pillar": {"1": 2, "4": 1}, "lang": {"en": 2}}
    assert results.cross_languages == ["es", "fr"]


def test_parse_response_takes_the_best_translation_of_a_date_sorted_group():
    plan = plan_for("prisons", "en", sort="date")
    outer = _hit("practice-9", "fr", None, "g")
    outer["_source"] = None
    outer["inner_hits"] = {
        "best": {"hits": {"hits": [_hit("practice-8", "en", 3 * TIER_BONUS + 1, "g")]}}
    }
    results = parse_response(plan, {"hits": {"hits": [outer]}, "aggregations": {}})
    assert [(h.doc_id, h.tier, h.score) for h in results.hits] == [("practice-8", 0, 1.0)]
    browse = parse_response(SearchPlan(language="en"), {"hits": {"hits": [outer]}})
    assert browse.hits[0].score == 0.0 and browse.cross_languages == []


# --- writing --------------------------------------------------------------------------------
def test_apply_sends_one_bulk_request_to_the_write_alias(db):
    page = PracticeFactory(title="Youth centres")
    client = FakeClient(aliases={"kx-practice-v1": {"kx-practice", "kx-practice-write"}})
    backend = backend_with(client)
    backend.apply(PracticeDocument, [PracticeDocument.prepare(page)], [77])
    (bulk,) = client.named("bulk")
    _, operations, params = bulk
    assert params == {"require_alias": True}
    assert operations[0] == {"index": {"_index": "kx-practice-write", "_id": f"practice-{page.pk}"}}
    assert operations[2] == {"delete": {"_index": "kx-practice-write", "_id": "practice-77"}}

    backend.apply(PracticeDocument, [], [])
    assert len(client.named("bulk")) == 1  # nothing to send, nothing sent


def test_apply_writes_to_the_index_being_rebuilt_too(db):
    client = FakeClient(
        aliases={
            "kx-practice-v1": {"kx-practice", "kx-practice-write"},
            "kx-practice-v2": {"kx-practice-rebuilding"},
        }
    )
    backend_with(client).apply(PracticeDocument, [], [5])
    (bulk,) = client.named("bulk")
    assert [line["delete"]["_index"] for line in bulk[1]] == [
        "kx-practice-write",
        "kx-practice-rebuilding",
    ]


def _items(*results):
    return lambda operations: list(results)


@pytest.mark.parametrize(
    "item, fails",
    [
        (
            {"delete": {"_index": "i", "_id": "practice-1", "status": 404, "result": "not_found"}},
            False,
        ),
        (
            {
                "delete": {
                    "_index": "kx-practice-write",
                    "_id": "practice-1",
                    "status": 404,
                    "error": {"type": "index_not_found_exception", "reason": "no such index"},
                }
            },
            True,
        ),
        (
            {
                "index": {
                    "_index": "i",
                    "_id": "practice-1",
                    "status": 400,
                    "error": {"type": "document_parsing_exception", "reason": "bad date"},
                }
            },
            True,
        ),
        (
            {
                "index": {
                    "_index": "i",
                    "_id": "practice-1",
                    "status": 429,
                    "error": {"type": "es_rejected_execution_exception", "reason": "busy"},
                }
            },
            True,
        ),
    ],
)
def test_apply_raises_on_item_errors_but_not_on_deleting_a_missing_document(item, fails):
    client = FakeClient(
        aliases={"i": {"kx-practice-write"}},
        bulk_items=_items(item, {"delete": {"_id": "x", "status": 200}}),
    )
    backend = backend_with(client)
    if fails:
        with pytest.raises(BulkError) as raised:
            backend.apply(PracticeDocument, [], [1, 2])
        assert "practice-1" in str(raised.value)
    else:
        backend.apply(PracticeDocument, [], [1, 2])


# --- indices --------------------------------------------------------------------------------
def test_ensure_index_creates_the_first_version_with_both_aliases():
    client = FakeClient()
    backend = backend_with(client, prefix="kxtest")
    assert backend.ensure_index(PracticeDocument) is True
    (create,) = client.named("create")
    _, name, body = create
    assert name.startswith("kxtest-practice-v") and name[len("kxtest-practice-v") :].isdigit()
    validate("indices.create", body)
    assert body["aliases"] == {
        "kxtest-practice": {},
        "kxtest-practice-write": {"is_write_index": True},
    }
    assert backend.ensure_index(PracticeDocument) is False
    assert len(client.named("create")) == 1


def test_rebuild_loads_a_new_version_and_swaps_both_aliases_atomically(db):
    pages = [PracticeFactory(title=f"Practice {n}") for n in range(3)]
    PracticeFactory(title="Draft", live=False)
    client = FakeClient(aliases={"kx-practice-v1": {"kx-practice", "kx-practice-write"}})
    progress = []
    count = backend_with(client).rebuild([PracticeDocument], progress=progress.append, batch_size=2)
    assert count == 3 and progress == [2, 1]

    kinds = [c[0] for c in client.calls if c[0] not in ("get_alias", "exists_alias")]
    assert kinds == [
        "create",
        "bulk",
        "bulk",
        "put_settings",
        "refresh",
        "update_aliases",
        "delete",
    ]
    ((_, new, body),) = client.named("create")
    validate("indices.create", body)
    assert body["aliases"] == {"kx-practice-rebuilding": {}}
    assert body["settings"]["refresh_interval"] == "-1"
    loaded = [
        line["create"]["_id"]
        for _, ops, _ in client.named("bulk")
        for line in ops
        if "create" in line
    ]
    assert sorted(loaded) == sorted(f"practice-{p.pk}" for p in pages)  # no draft
    for _, operations, _ in client.named("bulk"):
        validate_bulk(operations)
        assert all(line["create"]["_index"] == new for line in operations[::2])
    ((_, settings),) = [c[1:] for c in client.named("put_settings")]
    assert settings == {"index": {"refresh_interval": None}}
    (swap,) = client.named("update_aliases")
    validate("indices.update_aliases", swap[1])
    assert swap[1] == alias_swap_body(
        "practice", ["kx-practice-v1"], new, prefix="kx", staging=True
    )
    assert client.named("delete") == [("delete", "kx-practice-v1")]
    assert client.aliases == {new: {"kx-practice", "kx-practice-write"}}


def test_a_failed_rebuild_leaves_the_live_index_alone(db):
    PracticeFactory(title="Practice")
    failing = _items(
        {
            "create": {
                "_index": "x",
                "_id": "practice-1",
                "status": 400,
                "error": {"type": "mapper_parsing_exception", "reason": "no"},
            }
        }
    )
    client = FakeClient(
        aliases={"kx-practice-v1": {"kx-practice", "kx-practice-write"}}, bulk_items=failing
    )
    with pytest.raises(BulkError):
        backend_with(client).rebuild([PracticeDocument])
    ((_, new, _),) = client.named("create")
    assert client.named("update_aliases") == []
    assert client.named("delete") == [("delete", new)]
    assert client.aliases == {"kx-practice-v1": {"kx-practice", "kx-practice-write"}}


def test_a_rebuild_ignores_documents_the_outbox_wrote_first(db):
    PracticeFactory(title="Practice")
    conflict = _items(
        {
            "create": {
                "_index": "x",
                "_id": "practice-1",
                "status": 409,
                "error": {"type": "version_conflict_engine_exception"},
            }
        }
    )
    client = FakeClient(bulk_items=conflict)
    assert backend_with(client).rebuild([PracticeDocument]) == 1


def test_the_worker_fills_a_missing_index_from_the_database(db):
    page = PracticeFactory(title="Practice")
    client = FakeClient()
    backend_with(client).ensure_indices(fill=True)
    # One index per document type; no expert nor discussion in the database: nothing to
    # load there.
    (_, new, _), (_, new_experts, _), (_, new_discussions, _) = client.named("create")
    (bulk,) = client.named("bulk")
    assert bulk[1][0] == {"create": {"_index": new, "_id": f"practice-{page.pk}"}}
    assert client.aliases == {
        new: {"kx-practice", "kx-practice-write"},
        new_experts: {"kx-expert", "kx-expert-write"},
        new_discussions: {"kx-discussion", "kx-discussion-write"},
    }
    backend_with(client).ensure_indices(fill=True)  # already there: nothing more
    assert len(client.named("create")) == 3 and len(client.named("bulk")) == 1


def test_counts_come_from_the_read_aliases():
    client = FakeClient(aliases={"kx-practice-v1": {"kx-practice"}})
    assert backend_with(client).counts() == {"practice": 7, "expert": 0, "discussion": 0}
    assert backend_with(FakeClient()).counts() == {"practice": 0, "expert": 0, "discussion": 0}


def test_search_runs_the_body_on_the_read_aliases():
    plan = plan_for("prisons", "en", facets=["pillar"])
    client = FakeClient(
        search_response={
            "hits": {"hits": [_hit("practice-1", "en", 3 * TIER_BONUS + 2.0)]},
            "aggregations": {"total": {"keys": {"value": 1}}},
        }
    )
    results = backend_with(client).search(plan)
    ((_, index, body),) = client.named("search")
    assert index == "kx-practice,kx-expert,kx-discussion" and body == search_body(plan)
    assert results.total == 1 and results.hits[0].tier == 0


def test_the_count_of_full_matches_is_a_valid_count_request():
    plan = plan_for("prison youth", "en", filters={"pillar": ["1"]}, visibility=["public"])
    body = full_count_body(plan)
    validate("count", body)
    query = body["query"]["bool"]
    assert {"terms": {"visibility": ["public"]}} in query["filter"]
    assert query["must"][0]["bool"]["should"]  # every unit, per language


@pytest.mark.parametrize("full_matches, listed", [(3, "all"), (MIN_FULL_MATCHES, "full")])
def test_enough_full_matches_list_only_them(full_matches, listed):
    """As the embedded backend: with MIN_FULL_MATCHES full matches the partial ones go."""
    plan = plan_for("prison youth", "en", facets=["pillar"])
    client = FakeClient(full_matches=full_matches)
    backend_with(client).search(plan)
    ((_, _, count_body),) = client.named("count")
    ((_, _, body),) = client.named("search")
    assert count_body == full_count_body(plan)
    expected = replace(plan, require_all=True) if listed == "full" else plan
    assert body == search_body(expected)


def test_the_service_uses_elasticsearch_when_it_answers(db, settings, monkeypatch):
    settings.ELASTICSEARCH_URL = "http://es.invalid:9200"
    client = FakeClient(
        search_response={
            "hits": {
                "hits": [
                    _hit(
                        "practice-1",
                        "en",
                        3 * TIER_BONUS + 2.0,
                        highlight={
                            "body.en": ["… reformed <mark>prisons</mark> in three regions."]
                        },
                    )
                ]
            },
            "aggregations": {"total": {"keys": {"value": 1}}},
        }
    )
    backend = backend_with(client)
    monkeypatch.setattr(backend, "available", lambda: True)
    monkeypatch.setattr(elastic, "get_elastic_backend", lambda: backend)
    results = search(SearchRequest(text="prisons", language="en"))
    assert results.backend == "elasticsearch"
    assert results.total == 1
    assert "<mark>prisons</mark>" in results.hits[0].snippet


def test_available_is_false_quickly_when_nothing_listens_and_is_cached(monkeypatch):
    backend = ElasticBackend(f"http://127.0.0.1:{free_port()}", request_timeout=0.5, max_retries=0)
    assert backend.available() is False
    monkeypatch.setattr(backend, "_client", None)  # a second ping would rebuild the client
    monkeypatch.setattr(elastic, "Elasticsearch", lambda *a, **k: pytest.fail("pinged again"))
    assert backend.available() is False


def test_get_elastic_backend_follows_the_settings(settings):
    settings.ELASTICSEARCH_URL = "http://es.invalid:9200"
    settings.ELASTICSEARCH_INDEX_PREFIX = "KXstaging"
    backend = elastic.get_elastic_backend()
    assert backend is elastic.get_elastic_backend()
    assert backend.name == "elasticsearch" and backend.prefix == "kxstaging"
    assert backend.names(PracticeDocument).write == "kxstaging-practice-write"
    settings.ELASTICSEARCH_INDEX_PREFIX = ""
    assert elastic.get_elastic_backend().prefix == "kx"


# --- search_sync ----------------------------------------------------------------------------
def run_command(*argv):
    """Run like manage.py does: (exit code, stderr lines)."""
    import io

    from django.core.management.base import OutputWrapper

    command = search_sync.Command()
    err = io.StringIO()
    command.stderr = OutputWrapper(err)
    command.stdout = OutputWrapper(io.StringIO())
    code = 0
    try:
        command.run_from_argv(["manage.py", "search_sync", *argv])
    except SystemExit as exit_:
        code = exit_.code
    return code, err.getvalue().splitlines()


@pytest.fixture(autouse=True)
def glossary_from_the_database(db):
    """Parsing a query reads the glossary, moderators' concepts included."""


@pytest.fixture
def keep_db_connection(monkeypatch):
    # run_from_argv closes the connections when it ends; the test transaction needs its own.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)


def test_search_sync_needs_elasticsearch_url(db, settings, keep_db_connection):
    settings.ELASTICSEARCH_URL = ""
    with pytest.raises(CommandError, match="ELASTICSEARCH_URL is not set"):
        call_command("search_sync", "--once")
    code, lines = run_command("--once")
    assert code != 0
    assert lines == [f"CommandError: {search_sync.NOT_CONFIGURED}"]


def test_when_elasticsearch_is_down_nothing_is_lost_and_search_falls_back(
    db, settings, monkeypatch, caplog, keep_db_connection
):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    settings.ELASTICSEARCH_TIMEOUT = 0.5
    settings.ELASTICSEARCH_MAX_RETRIES = 0
    monkeypatch.setattr(search_sync, "BACKOFF_BASE", 0.01)
    pages = [PracticeFactory(title=f"Youth practice {n}") for n in range(3)]
    drain_search()  # the embedded index is current

    code, lines = run_command("--once", "--max-retries", "2")
    assert code != 0
    assert len(lines) == 1 and lines[0].startswith("CommandError: Elasticsearch could not")
    assert "3 outbox entries stay pending" in lines[0]

    waiting = OutboxEntry.objects.filter(elasticsearch_done=False)
    assert sorted(waiting.values_list("object_id", flat=True)) == sorted(p.pk for p in pages)
    assert {e.attempts for e in waiting} == {3}
    assert all("ConnectionError" in e.last_error for e in waiting)

    caplog.set_level("WARNING")
    results = search(SearchRequest(text="youth", language="en"))
    assert results.backend == "embedded"
    assert results.total == 3
    assert any("Elasticsearch is unreachable" in r.getMessage() for r in caplog.records)


class StubBackend:
    """Takes batches like the cluster would, after failing a given number of times."""

    name = "elasticsearch"

    def __init__(self, failures=0, on_ensure=None):
        self.failures = failures
        self.on_ensure = on_ensure
        self.ensured = 0
        self.indexed, self.deleted = [], []

    def ensure_indices(self, fill=False):
        assert fill  # the worker never leaves a new index empty
        self.ensured += 1
        if self.on_ensure:
            self.on_ensure(self)

    def apply(self, document, prepared, delete_ids):
        if self.failures:
            self.failures -= 1
            raise BulkError(["index kx-practice-write/practice-1: 429 es_rejected_execution"])
        self.indexed.extend(p["object_id"] for p in prepared)
        self.deleted.extend(delete_ids)


def test_search_sync_once_drains_the_outbox(db, settings, monkeypatch):
    settings.ELASTICSEARCH_URL = "http://es.invalid:9200"
    monkeypatch.setattr(search_sync, "BACKOFF_BASE", 0.01)
    stub = StubBackend(failures=1)
    monkeypatch.setattr(search_sync, "_elastic_backend", lambda: stub)
    pages = [PracticeFactory(title=f"Practice {n}") for n in range(5)]
    gone = PracticeFactory(title="Withdrawn")
    gone.unpublish()

    call_command("search_sync", "--once", "--batch-size", "2")

    assert sorted(stub.indexed) == sorted(p.pk for p in pages)
    assert set(stub.deleted) == {gone.pk}  # published then withdrawn: deleted, never indexed
    assert not OutboxEntry.objects.filter(elasticsearch_done=False).exists()
    assert OutboxEntry.objects.filter(attempts=1).count() == 2  # the batch that failed once
    drain_search()  # once the embedded index has them too, the entries are forgotten
    assert not OutboxEntry.objects.exists()


def test_the_worker_stops_cleanly_on_sigterm(db, settings, monkeypatch):
    settings.ELASTICSEARCH_URL = "http://es.invalid:9200"

    def stop_on_second_poll(stub):
        if stub.ensured == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    stub = StubBackend(on_ensure=stop_on_second_poll)
    monkeypatch.setattr(search_sync, "_elastic_backend", lambda: stub)
    page = PracticeFactory(title="Practice")
    before = signal.getsignal(signal.SIGTERM)

    call_command("search_sync", "--interval", "0.01")

    assert stub.ensured == 2 and stub.indexed == [page.pk]
    assert signal.getsignal(signal.SIGTERM) == before


def test_backoff_doubles_up_to_a_minute():
    delays = [search_sync.backoff(n) for n in range(1, 10)]
    assert 0.8 <= delays[0] <= 1.2 and 1.6 <= delays[1] <= 2.4 and 3.2 <= delays[2] <= 4.8
    assert all(d <= 60 for d in delays) and delays[-1] >= 48


def test_translations_collapse_in_the_plan_they_share_a_key(db):
    # The collapse key is what translations share.
    page = PracticeFactory(title="Prison reform")
    french = translate(page, "fr", title="Réforme des prisons")
    keys = {PracticeDocument.prepare(p)["translation_key"] for p in (page, french)}
    assert len(keys) == 1


def test_plan_texts_keep_what_was_typed():
    parsed = parse("l'extrémisme violent", "fr")
    assert parsed.texts["fr"][0][-1] == "extrémisme violent"
    assert len(parsed.texts["fr"]) == len(parsed.clauses["fr"])


def test_the_vendored_description_resolves_every_reference_it_holds():
    spec, _ = _registry()
    held = {
        f"#/components/{section}/{name}"
        for section, entries in spec["components"].items()
        for name in entries
    }
    from tests.data.elasticsearch_subset import references

    missing = {"#/" + "/".join(key) for key in references(spec)} - held
    assert not missing
    for name in ("search", "count", "bulk", "indices.create", "indices.update_aliases"):
        assert request_schema(name)


# --- the cluster's settings ---------------------------------------------------------------------
def test_several_nodes_tls_shards_and_replicas_come_from_the_settings(settings, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    settings.ELASTICSEARCH_URL = "https://es1.invalid:9200, https://es2.invalid:9200"
    settings.ELASTICSEARCH_CA_CERTS = str(ca)
    settings.ELASTICSEARCH_SSL_FINGERPRINT = "AB:" * 31 + "AB"
    settings.ELASTICSEARCH_SHARDS = "3"
    settings.ELASTICSEARCH_REPLICAS = "2"
    cluster = elastic.cluster_settings()
    assert cluster.hosts == ("https://es1.invalid:9200", "https://es2.invalid:9200")
    backend = elastic.get_elastic_backend()
    assert backend.url == list(cluster.hosts)
    assert backend.ca_certs == str(ca) and backend.ssl_fingerprint == cluster.ssl_fingerprint
    body = index_body(PracticeDocument)
    assert body["settings"]["number_of_shards"] == 3
    assert body["settings"]["number_of_replicas"] == 2
    validate("indices.create", body)


def test_the_defaults_suit_one_node(settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9200"
    body = index_body(PracticeDocument)
    assert (body["settings"]["number_of_shards"], body["settings"]["number_of_replicas"]) == (1, 0)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ELASTICSEARCH_URL", "es1.invalid:9200", "is not an http:// or https:// URL"),
        ("ELASTICSEARCH_URL", " , ", "ELASTICSEARCH_URL is not set"),
        ("ELASTICSEARCH_SHARDS", "zero", "ELASTICSEARCH_SHARDS must be a number of at least 1"),
        ("ELASTICSEARCH_SHARDS", "0", "ELASTICSEARCH_SHARDS must be a number of at least 1"),
        ("ELASTICSEARCH_REPLICAS", "-1", "ELASTICSEARCH_REPLICAS must be a number of at least 0"),
        ("ELASTICSEARCH_TIMEOUT", "soon", "ELASTICSEARCH_TIMEOUT must be a number"),
        ("ELASTICSEARCH_CA_CERTS", "/nowhere/ca.pem", "no file at /nowhere/ca.pem"),
        ("ELASTICSEARCH_SSL_FINGERPRINT", "AB:CD", "SHA-256 fingerprint"),
    ],
)
def test_a_bad_cluster_setting_is_refused_with_a_reason(settings, name, value, message):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9200"
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        elastic.cluster_settings()


def test_manage_py_check_refuses_a_bad_cluster_setting(settings):
    from django.core.management.base import SystemCheckError

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9200"
    settings.ELASTICSEARCH_REPLICAS = "many"
    with pytest.raises(SystemCheckError, match="ELASTICSEARCH_REPLICAS must be a number"):
        call_command("check")
