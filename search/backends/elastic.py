"""The Elasticsearch search backend.

Indices
=======
Each content type lives in versioned indices behind aliases::

    kx-practice-v20261122104841123456   the concrete index (UTC timestamp)
    kx-practice                         read alias: searches and counts
    kx-practice-write                   write alias (is_write_index): the outbox's bulk writes
    kx-practice-rebuilding              only while a rebuild loads a new version

The prefix ("kx") is settings.ELASTICSEARCH_INDEX_PREFIX. `ensure_index()` creates the first
version with both aliases. `rebuild()` creates a new version, bulk-loads it from the
database, refreshes it, then moves both aliases to it in one atomic `_aliases` call and
deletes the old version: searches never see a missing or half-filled index. While it loads,
the new version carries the "rebuilding" alias and `apply()` writes every change to it as
well as to the write alias (one bulk request), and the load itself uses `create` actions, so
a change made during the rebuild is neither lost at the swap nor overwritten by the older
copy the load read. (One narrow race remains: a document deleted between the moment the load
reads it and the moment that batch is written comes back until its next change or rebuild.)

Queries
=======
A SearchPlan becomes one search request, mirroring the embedded backend (embedded_query.py):

* text: for each document language L, a unit is a bool `should` (minimum_should_match 1)
  of `multi_match` phrase queries over title.L^10, summary.L^4, body.L and themes.L^3
  (`themes` holds the theme names of every language; its `.L` sub-field analyses them all
  as language L). As in the embedded backend, a document in L matches when any of L's
  units does (`filter: term language=L`, `should` of the units), and matches fully when
  every unit of `plan.strict[L]` does (`must` of those units); with `plan.require_all`
  only full matches are returned. The phrases are the plan's `texts` (the words the user
  typed and the glossary terms), analysed by Elasticsearch's own language analyzers; plans
  without `texts` fall back to the joined analysed tokens, which Elasticsearch analyses
  again (close for Arabic, lossy for French and Spanish, whose light stemmers do not take
  Snowball stems back to the same form).
* tiers, without scripts: results are ordered as the embedded backend's tiers (0 the
  query's language, full match; 1 another language, full; 2 the query's language,
  partial; 3 another language, partial), then by score. Two optional `constant_score`
  clauses add TIER_BONUS (100,000) for the query's language and 2 x TIER_BONUS for a full
  match, far above any text score (at most 32 units of a few phrases whose BM25 scores are
  in the tens), and results sort by `_score`. The bonuses are taken back out of the score
  to give each hit its tier and text score.
* no text: every visible document, newest first (`published_at` desc).
* collapse on `translation_key` keeps one document per translation group: the best-scored
  one (so the one in the best tier). When sorting by date (and when browsing without
  text), the groups are ordered by their newest matching translation and an `inner_hits`
  search picks the best-scored translation of each group to show (the embedded backend
  orders a group by the date of the translation it shows; the two differ only when the
  translations of a practice were published on different dates).
* filters use `post_filter` (disjunctive faceting): the hits get every filter, and each
  facet's counts come from a `filter` aggregation holding every active filter but its own,
  wrapping a `terms` aggregation on facet_<name>. Counts are of translation groups, not
  documents: a `cardinality` sub-aggregation on `translation_key` (precision_threshold
  40,000, so exact below 40,000 groups per bucket). The total is the same cardinality over
  the fully filtered result; cross_languages is a `terms` aggregation on `language` over the
  filtered documents in other languages than the query's (tiers 1 and 3).
* highlight: body.L with fragment_size 240 and <mark> tags. `body` is left out of `_source`;
  a hit's body is its highlighted fragment (tags removed; the start of the body when nothing
  matched), which is all the service needs to make the snippet. Titles and summaries come
  whole from `_source`.

The request bodies are built by pure functions (`index_body`, `bulk_body`, `search_body`,
`alias_swap_body`) so tests can check them against Elastic's API description without a
server.
"""

import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout, Elasticsearch, NotFoundError
from elasticsearch.dsl import Index, Q, Search

from search.plan import MIN_FULL_MATCHES, RawHit, RawResults

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "kx"
DEFAULT_TIMEOUT = 10.0  # seconds per request
DEFAULT_MAX_RETRIES = 3
FIELD_WEIGHTS = (("title", 10), ("summary", 4), ("body", 1), ("themes", 3))
TIER_BONUS = 100_000.0
FACET_SIZE = 500  # values per facet (the largest vocabulary, countries, has under 250)
PRECISION_THRESHOLD = 40_000  # cardinality is exact below this many distinct keys
LANGUAGE_BUCKETS = 50
FRAGMENT_SIZE = 240
MARK = ("<mark>", "</mark>")
MAX_ANALYZED_OFFSET = 500_000  # highlight at most this many characters of a body
HIT_FIELDS = [
    "content_type",
    "object_id",
    "translation_key",
    "language",
    "title",
    "summary",
    "url",
    "published_at",
]
AVAILABLE_TTL = 5.0  # seconds an available() answer is reused
PING_TIMEOUT = 1.0


class BulkError(Exception):
    """Elasticsearch refused some actions of a bulk request."""

    def __init__(self, errors):
        self.errors = errors
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__("; ".join(errors[:3]) + more)


# --- names ------------------------------------------------------------------------------------
def index_prefix():
    return (getattr(settings, "ELASTICSEARCH_INDEX_PREFIX", "") or DEFAULT_PREFIX).lower()


@dataclass(frozen=True)
class IndexNames:
    content_type: str
    prefix: str

    @property
    def read(self):
        return f"{self.prefix}-{self.content_type}"

    @property
    def write(self):
        return f"{self.read}-write"

    @property
    def staging(self):
        return f"{self.read}-rebuilding"

    @property
    def pattern(self):
        return f"{self.read}-v*"

    def new_version(self):
        return f"{self.read}-v{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"


def index_names(content_type, prefix=None):
    return IndexNames(content_type, (prefix or index_prefix()).lower())


# --- request bodies ---------------------------------------------------------------------------
def shard_settings():
    """Primary shards and replicas of a new index (ELASTICSEARCH_SHARDS, _REPLICAS)."""
    return {
        "number_of_shards": _number("ELASTICSEARCH_SHARDS", 1, int, 1),
        "number_of_replicas": _number("ELASTICSEARCH_REPLICAS", 0, int, 0),
    }


def index_body(document, aliases=None, loading=False):
    """The body that creates an index for `document`: its mapping and index settings."""
    index = Index(index_names(document.content_type_name).read)
    index.document(document)
    document_settings = getattr(getattr(document, "Index", None), "settings", None) or {}
    index.settings(**{**shard_settings(), **document_settings})
    if loading:  # no refreshes while a rebuild loads; rebuild() restores the default
        index.settings(refresh_interval="-1")
    body = index.to_dict()
    if aliases:
        body["aliases"] = aliases
    return body


def bulk_body(document, prepared, delete_ids, targets=None, op_type="index", prefix=None):
    """The bulk request's lines (NDJSON, as dicts): `op_type` actions with their sources for
    the prepared documents, delete actions for the others, repeated for each target index
    or alias (the write alias by default)."""
    targets = targets or [index_names(document.content_type_name, prefix).write]
    lines = []
    for data in prepared:
        source = document.to_elasticsearch(data)
        for target in targets:
            lines.append({op_type: {"_index": target, "_id": data["id"]}})
            lines.append(source)
    keep = {data["id"] for data in prepared}
    for object_id in delete_ids:
        for doc_id in document.doc_ids(object_id):
            if doc_id in keep:
                continue
            for target in targets:
                lines.append({"delete": {"_index": target, "_id": doc_id}})
    return lines


def alias_swap_body(content_type, old_index, new_index, prefix=None, staging=False):
    """One atomic `_aliases` request: the read and write aliases leave the old version(s)
    for the new one (and the new one drops its rebuilding alias)."""
    names = index_names(content_type, prefix)
    olds = [old_index] if isinstance(old_index, str) else list(old_index or [])
    actions = []
    for old in olds:
        if old == new_index:
            continue
        actions.append({"remove": {"index": old, "alias": names.read, "must_exist": False}})
        actions.append({"remove": {"index": old, "alias": names.write, "must_exist": False}})
    actions.append({"add": {"index": new_index, "alias": names.read}})
    actions.append({"add": {"index": new_index, "alias": names.write, "is_write_index": True}})
    if staging:
        actions.append(
            {"remove": {"index": new_index, "alias": names.staging, "must_exist": False}}
        )
    return {"actions": actions}


def _unit_texts(plan, language):
    """Each unit of the language's clause as a list of phrase texts (same indexes as the
    clause's units)."""
    units = plan.clauses.get(language) or []
    texts = (getattr(plan, "texts", None) or {}).get(language)
    if not (texts and len(texts) == len(units)):
        texts = [[" ".join(phrase) for phrase in unit if phrase] for unit in units]
    return [list(dict.fromkeys(t for t in unit if t and t.strip())) for unit in texts]


def _required(plan, language, count):
    """Indexes of the units a full match needs (all of them when the plan does not say)."""
    strict = getattr(plan, "strict", None) or {}
    if language not in strict:
        return list(range(count))
    return [i for i in strict[language] if 0 <= i < count]


def _phrase(text, language):
    fields = [
        f"{name}.{language}^{weight}" if weight != 1 else f"{name}.{language}"
        for name, weight in FIELD_WEIGHTS
    ]
    return Q("multi_match", query=text, type="phrase", fields=fields)


def text_clauses(plan):
    """Per document language L: (documents in L matching any unit, documents in L
    matching every required unit)."""
    any_unit, every_unit = [], []
    for language in plan.clauses:
        units = [
            Q("bool", should=[_phrase(t, language) for t in texts], minimum_should_match=1)
            if texts
            else None
            for texts in _unit_texts(plan, language)
        ]
        present = [unit for unit in units if unit is not None]
        if not present:
            continue
        in_language = Q("term", language={"value": language})
        any_unit.append(Q("bool", filter=[in_language], should=present, minimum_should_match=1))
        required = [units[i] for i in _required(plan, language, len(units)) if units[i]]
        if required:
            every_unit.append(Q("bool", filter=[in_language], must=required))
    return any_unit, every_unit


def filter_query(plan, skip=None, must_not=None):
    """Every active facet filter but `skip` (match_all when there is none)."""
    filters = [
        Q("terms", **{f"facet_{facet}": list(values)})
        for facet, values in sorted(plan.filters.items())
        if values and facet != skip
    ]
    if not filters and not must_not:
        return Q("match_all")
    clauses = {"filter": filters} if filters else {}
    if must_not:
        clauses["must_not"] = must_not
    return Q("bool", **clauses)


def _match_query(plan):
    """(query, whether it searches text)."""
    visible = Q("terms", visibility=list(plan.visibility))
    same_language = Q("term", language={"value": plan.language})
    any_unit, every_unit = text_clauses(plan) if plan.has_text else ([], [])
    if not any_unit:
        # Browse: every visible document; the score only tells the query's language (1)
        # from the others (0), to pick each group's translation.
        tier = Q("constant_score", filter=same_language, boost=1.0)
        return Q("bool", filter=[visible], should=[tier], minimum_should_match=0), False
    if plan.require_all:
        if not every_unit:
            return Q("match_none"), True
        match = Q("bool", should=every_unit, minimum_should_match=1)
        bonuses = [Q("constant_score", filter=same_language, boost=TIER_BONUS)]
    else:
        match = Q("bool", should=any_unit, minimum_should_match=1)
        bonuses = [Q("constant_score", filter=same_language, boost=TIER_BONUS)]
        if every_unit:
            full = Q("bool", should=every_unit, minimum_should_match=1)
            bonuses.append(Q("constant_score", filter=full, boost=2 * TIER_BONUS))
    return Q("bool", filter=[visible], must=[match], should=bonuses), True


def full_count_body(plan):
    """The count request of the documents matching fully (every required unit) within
    the reader's tiers and filters: with MIN_FULL_MATCHES of them, only they are listed."""
    _any_unit, every_unit = text_clauses(plan)
    visible = Q("terms", visibility=list(plan.visibility))
    match = Q("bool", should=every_unit, minimum_should_match=1) if every_unit else None
    query = Q("bool", filter=[visible, filter_query(plan)], must=[match] if match else [])
    return {"query": query.to_dict()}


def search_body(plan):
    """The search request for a SearchPlan (see the module docstring)."""
    query, has_text = _match_query(plan)
    search = Search().query(query)
    if any(plan.filters.values()):
        search = search.post_filter(filter_query(plan))

    highlight = None
    if has_text:
        # The list form of `fields` (one field per entry) is the one Elastic's API
        # description accepts for several fields.
        highlight = {
            "type": "unified",
            "fields": [
                {
                    f"body.{language}": {
                        "fragment_size": FRAGMENT_SIZE,
                        "number_of_fragments": 1,
                        "no_match_size": FRAGMENT_SIZE,
                    }
                }
                for language in plan.clauses
                if plan.clauses[language]
            ],
            "pre_tags": [MARK[0]],
            "post_tags": [MARK[1]],
            "max_analyzed_offset": MAX_ANALYZED_OFFSET,
        }

    newest = {"published_at": {"order": "desc", "missing": "_last"}}
    collapse = {"field": "translation_key"}
    if has_text and plan.sort == "relevance":
        search = search.sort({"_score": {"order": "desc"}}, newest)
        search = search.source(includes=HIT_FIELDS)
        search = search.extra(highlight=highlight)
    else:
        search = search.sort(newest)
        search = search.source(False)
        inner = {"name": "best", "size": 1, "sort": [{"_score": {"order": "desc"}}, newest]}
        inner["_source"] = {"includes": HIT_FIELDS}
        if highlight:
            inner["highlight"] = highlight
        collapse["inner_hits"] = inner

    search = search.extra(
        from_=max(0, plan.offset),
        size=max(0, plan.limit),
        collapse=collapse,
        track_total_hits=False,
    )

    keys = {"field": "translation_key", "precision_threshold": PRECISION_THRESHOLD}
    search.aggs.bucket("total", "filter", filter=filter_query(plan)).metric(
        "keys", "cardinality", **keys
    )
    for facet in plan.facets:
        others = filter_query(plan, skip=facet)
        values = search.aggs.bucket(f"facet_{facet}", "filter", filter=others).bucket(
            "values", "terms", field=f"facet_{facet}", size=FACET_SIZE
        )
        values.metric("keys", "cardinality", **keys)
    if has_text:
        not_same = [Q("term", language={"value": plan.language})]
        other_languages = filter_query(plan, must_not=not_same)
        search.aggs.bucket("cross", "filter", filter=other_languages).bucket(
            "languages", "terms", field="language", size=LANGUAGE_BUCKETS
        )
    return search.to_dict()


# --- responses --------------------------------------------------------------------------------
def _unmark(text):
    return text.replace(MARK[0], "").replace(MARK[1], "")


def raw_hit(plan, hit):
    """A RawHit from a search hit: the tier comes back out of the score's bonuses."""
    source = hit.get("_source") or {}
    language = source.get("language", "")
    other_language = int(language != plan.language)
    score = float(hit.get("_score") or 0.0)
    if plan.has_text:
        bonuses = min(3, max(0, int(score // TIER_BONUS)))
        full = plan.require_all or bonuses >= 2
        tier = other_language + (0 if full else 2)
        score -= bonuses * TIER_BONUS
    else:
        tier, score = other_language, 0.0
    fragments = (hit.get("highlight") or {}).get(f"body.{language}") or []
    return RawHit(
        doc_id=hit["_id"],
        content_type=source.get("content_type", ""),
        object_id=int(source.get("object_id") or 0),
        translation_key=source.get("translation_key", ""),
        language=language,
        title=source.get("title") or "",
        summary=source.get("summary") or "",
        body=" … ".join(_unmark(f) for f in fragments),
        url=source.get("url") or "",
        published_at=source.get("published_at"),
        tier=tier,
        score=score,
    )


def parse_response(plan, response):
    """RawResults from a search response to search_body(plan)."""
    aggregations = response.get("aggregations") or {}
    hits = []
    for hit in response.get("hits", {}).get("hits", []):
        inner = hit.get("inner_hits", {}).get("best", {}).get("hits", {}).get("hits")
        hits.append(raw_hit(plan, inner[0] if inner else hit))
    total = int(aggregations.get("total", {}).get("keys", {}).get("value", 0))
    facet_counts = {}
    for facet in plan.facets:
        buckets = aggregations.get(f"facet_{facet}", {}).get("values", {}).get("buckets", [])
        facet_counts[facet] = {
            str(b["key"]): int(b["keys"]["value"]) for b in buckets if b["keys"]["value"]
        }
    cross = []
    if "cross" in aggregations:
        buckets = aggregations.get("cross", {}).get("languages", {}).get("buckets", [])
        cross = sorted(str(b["key"]) for b in buckets if b.get("doc_count"))
    return RawResults(hits=hits, total=total, facet_counts=facet_counts, cross_languages=cross)


def bulk_errors(response, allow_conflicts=False):
    """What went wrong in a bulk response, ignoring deletes of documents that were not there
    (and, for a rebuild's `create` actions, documents the outbox wrote first)."""
    if not response.get("errors"):
        return []
    errors = []
    for item in response.get("items", []):
        ((action, result),) = item.items()
        status = int(result.get("status", 0))
        if status < 300:
            continue
        if action == "delete" and status == 404 and "error" not in result:
            continue  # not_found: nothing to delete
        if allow_conflicts and action == "create" and status == 409:
            continue
        error = result.get("error") or {}
        reason = error.get("reason", "") if isinstance(error, dict) else str(error)
        kind = error.get("type", "") if isinstance(error, dict) else ""
        errors.append(
            f"{action} {result.get('_index')}/{result.get('_id')}: {status} {kind} {reason}".strip()
        )
    return errors


# --- the backend ------------------------------------------------------------------------------
class ElasticBackend:
    name = "elasticsearch"

    def __init__(
        self,
        url,
        prefix=None,
        request_timeout=DEFAULT_TIMEOUT,
        max_retries=DEFAULT_MAX_RETRIES,
        api_key=None,
        client=None,
        ca_certs=None,
        ssl_fingerprint=None,
    ):
        self.url = url  # one URL or a list of the cluster's nodes
        self.ca_certs = ca_certs
        self.ssl_fingerprint = ssl_fingerprint
        self.prefix = (prefix or DEFAULT_PREFIX).lower()
        self.request_timeout = float(request_timeout)
        self.max_retries = int(max_retries)
        self.api_key = api_key or None
        self._client = client
        self._client_lock = threading.Lock()
        self._available = (float("-inf"), False)

    @property
    def client(self):
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    options = {
                        "request_timeout": self.request_timeout,
                        "retry_on_timeout": True,
                        "max_retries": self.max_retries,
                    }
                    if self.api_key:
                        options["api_key"] = self.api_key
                    if self.ca_certs:
                        options["ca_certs"] = self.ca_certs
                    if self.ssl_fingerprint:
                        options["ssl_assert_fingerprint"] = self.ssl_fingerprint
                    self._client = Elasticsearch(self.url, **options)
        return self._client

    def names(self, document):
        return index_names(document.content_type_name, self.prefix)

    def _documents(self):
        from search.documents import DOCUMENTS

        return DOCUMENTS

    def _indices_behind(self, alias):
        try:
            return sorted(self.client.indices.get_alias(name=alias).body)
        except NotFoundError:
            return []

    # --- health -------------------------------------------------------------------------
    def available(self):
        """Whether the cluster answers, asked at most every few seconds; never raises."""
        checked, answer = self._available
        now = time.monotonic()
        if now - checked < AVAILABLE_TTL:
            return answer
        try:
            timeout = min(PING_TIMEOUT, self.request_timeout)
            answer = bool(self.client.options(request_timeout=timeout, max_retries=0).ping())
        except Exception:  # a broken URL or client must not break the search page
            logger.debug("Elasticsearch ping failed", exc_info=True)
            answer = False
        self._available = (now, answer)
        return answer

    def counts(self):
        """{content_type: number of documents} behind each read alias."""
        counts = {}
        for content_type, document in self._documents().items():
            try:
                answer = self.client.count(index=self.names(document).read)
                counts[content_type] = int(answer["count"])
            except NotFoundError:
                counts[content_type] = 0
        return counts

    # --- indices ------------------------------------------------------------------------
    def ensure_index(self, document):
        """Create the first version of the document's index, with both aliases, unless the
        read alias exists. Returns True when it created one."""
        names = self.names(document)
        client = self.client
        if client.indices.exists_alias(name=names.read):
            if not client.indices.exists_alias(name=names.write):
                current = self._indices_behind(names.read)
                if len(current) == 1:
                    client.indices.update_aliases(
                        actions=[
                            {
                                "add": {
                                    "index": current[0],
                                    "alias": names.write,
                                    "is_write_index": True,
                                }
                            }
                        ]
                    )
            return False
        name = names.new_version()
        aliases = {names.read: {}, names.write: {"is_write_index": True}}
        try:
            client.indices.create(index=name, body=index_body(document, aliases=aliases))
        except Exception:
            # Another process may have created it meanwhile (the second write index is
            # refused): that is fine; anything else is not.
            if client.indices.exists_alias(name=names.read):
                client.indices.delete(index=name, ignore_unavailable=True)
                return False
            raise
        logger.info("Created Elasticsearch index %s", name)
        return True

    def ensure_indices(self, documents=None, fill=False):
        """Make sure every document type has its index and aliases. With `fill`, a type
        without an index gets a full load from the database (a rebuild), not an empty index
        that searches would then answer from."""
        for document in documents or self._documents().values():
            if fill and not self.client.indices.exists_alias(name=self.names(document).read):
                logger.info("No Elasticsearch index for %s yet: loading it", document.__name__)
                self.rebuild([document])
            else:
                self.ensure_index(document)

    def rebuild(self, documents, progress=None, batch_size=500):
        """Load a new version of each document's index from the database and swap it in."""
        return sum(self._rebuild(document, progress, batch_size) for document in documents)

    def _rebuild(self, document, progress, batch_size):
        names = self.names(document)
        client = self.client
        for stale in self._indices_behind(names.staging):
            if stale not in self._indices_behind(names.read):
                logger.warning("Deleting %s, left over by an interrupted rebuild", stale)
                client.indices.delete(index=stale, ignore_unavailable=True)
        new = names.new_version()
        client.indices.create(
            index=new, body=index_body(document, aliases={names.staging: {}}, loading=True)
        )
        try:
            count = self._load(document, new, progress, batch_size)
            client.indices.put_settings(index=new, settings={"index": {"refresh_interval": None}})
            client.indices.refresh(index=new)
            old = sorted(set(self._indices_behind(names.read) + self._indices_behind(names.write)))
            client.indices.update_aliases(
                body=alias_swap_body(
                    document.content_type_name, old, new, prefix=self.prefix, staging=True
                )
            )
        except BaseException:
            try:
                client.indices.delete(index=new, ignore_unavailable=True)
            except Exception:
                logger.exception("Could not delete %s after a failed rebuild", new)
            raise
        for index in old:
            if index != new:
                try:
                    client.indices.delete(index=index, ignore_unavailable=True)
                except Exception:
                    logger.exception("Could not delete the replaced index %s", index)
        logger.info("Rebuilt %s: %d documents in %s (replaced %s)", names.read, count, new, old)
        return count

    def _load(self, document, index, progress, batch_size):
        restricted = document.restricted_paths()
        pks = list(document.get_queryset().values_list("pk", flat=True))
        count = 0
        for start in range(0, len(pks), batch_size):
            batch = document.prepare_batch(pks[start : start + batch_size], restricted)
            count += self._load_batch(document, index, batch, progress)
        return count

    def _load_batch(self, document, index, batch, progress):
        if not batch:
            return 0
        operations = bulk_body(document, batch, [], targets=[index], op_type="create")
        errors = bulk_errors(self.client.bulk(operations=operations), allow_conflicts=True)
        if errors:
            raise BulkError(errors)
        if progress:
            progress(len(batch))
        return len(batch)

    # --- writing ------------------------------------------------------------------------
    def apply(self, document, prepared, delete_ids):
        """Index the prepared documents and delete the others: one bulk request through the
        write alias (and the rebuilding alias while a rebuild runs). Raises when any action
        fails, so the outbox keeps its entries for the next attempt."""
        if not prepared and not delete_ids:
            return
        names = self.names(document)
        targets = [names.write]
        if self.client.indices.exists_alias(name=names.staging):
            targets.append(names.staging)
        operations = bulk_body(document, prepared, delete_ids, targets=targets)
        # require_alias: a missing alias is an error, never a new auto-created index.
        response = self.client.bulk(operations=operations, require_alias=True)
        errors = bulk_errors(response)
        if errors:
            raise BulkError(errors)

    # --- reading ------------------------------------------------------------------------
    def search(self, plan):
        index = ",".join(self.names(d).read for d in self._documents().values())
        try:
            if plan.has_text and not plan.require_all:
                full = self.client.count(index=index, body=full_count_body(plan))
                if getattr(full, "body", full)["count"] >= MIN_FULL_MATCHES:
                    plan = replace(plan, require_all=True)
            response = self.client.search(index=index, body=search_body(plan))
        except (ESConnectionError, ConnectionTimeout):
            self._available = (time.monotonic(), False)  # spare the next requests the wait
            raise
        return parse_response(plan, getattr(response, "body", response))


_BACKENDS = {}
_BACKENDS_LOCK = threading.Lock()


@dataclass(frozen=True)
class ClusterSettings:
    """The cluster KX talks to, read from the settings and checked once."""

    hosts: tuple
    prefix: str
    request_timeout: float
    max_retries: int
    api_key: str | None
    ca_certs: str | None
    ssl_fingerprint: str | None


def _number(name, default, kind, minimum):
    raw = getattr(settings, name, default)
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        value = None
    if value is None or value < minimum:
        raise ImproperlyConfigured(f"{name} must be a number of at least {minimum}, not {raw!r}.")
    return value


def cluster_settings():
    url = getattr(settings, "ELASTICSEARCH_URL", "")
    hosts = tuple(part.strip() for part in url.split(",") if part.strip())
    if not hosts:
        raise ImproperlyConfigured("ELASTICSEARCH_URL is not set.")
    for host in hosts:
        if not host.startswith(("http://", "https://")):
            raise ImproperlyConfigured(
                f"ELASTICSEARCH_URL: {host!r} is not an http:// or https:// URL."
            )
    ca_certs = getattr(settings, "ELASTICSEARCH_CA_CERTS", "") or None
    if ca_certs and not Path(ca_certs).is_file():
        raise ImproperlyConfigured(f"ELASTICSEARCH_CA_CERTS: no file at {ca_certs}.")
    fingerprint = (getattr(settings, "ELASTICSEARCH_SSL_FINGERPRINT", "") or "").strip()
    if fingerprint and len(fingerprint.replace(":", "")) != 64:
        raise ImproperlyConfigured(
            "ELASTICSEARCH_SSL_FINGERPRINT must be the certificate's SHA-256 fingerprint "
            "(64 hexadecimal digits, colons allowed)."
        )
    shard_settings()  # refused here too, not only when an index is made
    return ClusterSettings(
        hosts=hosts,
        prefix=index_prefix(),
        request_timeout=_number("ELASTICSEARCH_TIMEOUT", DEFAULT_TIMEOUT, float, 0.1),
        max_retries=_number("ELASTICSEARCH_MAX_RETRIES", DEFAULT_MAX_RETRIES, int, 0),
        api_key=getattr(settings, "ELASTICSEARCH_API_KEY", "") or None,
        ca_certs=ca_certs,
        ssl_fingerprint=fingerprint or None,
    )


def get_elastic_backend():
    """The backend for the configured cluster (one per configuration, reused)."""
    key = cluster_settings()
    with _BACKENDS_LOCK:
        backend = _BACKENDS.get(key)
        if backend is None:
            backend = _BACKENDS[key] = ElasticBackend(
                list(key.hosts),
                prefix=key.prefix,
                request_timeout=key.request_timeout,
                max_retries=key.max_retries,
                api_key=key.api_key,
                ca_certs=key.ca_certs,
                ssl_fingerprint=key.ssl_fingerprint,
            )
    return backend
