"""Search relevance evaluation: recall@k and MRR of a judged query set.

search/data/relevance.json holds realistic queries (ar/en/fr/es), each with the keys of the
demo practices (the "key" of practices/demo/practices.json, which load_demo makes the page
slug in every locale) that a domain expert judges relevant, most relevant first.

`evaluate(queries, k)` runs every query through the search service and compares the top k
hits with the judgements. A hit is mapped to a practice key through its page's slug (looked
up by object id; the last path segment of the hit URL when the page is not found), so a
translated practice is the same key whatever language version is hit, and counts once.

Per query:
* recall@k = relevant keys found in the top k / number of relevant keys;
* reciprocal rank = 1 / rank of the first hit whose key is relevant (0 if none in the top k).
The report gives their means (mean recall@k and MRR) overall and per query language, and the
queries whose recall is below 1.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DATA_FILE = Path(__file__).parent / "data" / "relevance.json"
LANGUAGE_ORDER = ("ar", "en", "fr", "es")


@dataclass(frozen=True)
class Query:
    q: str
    language: str
    relevant: tuple  # practice keys, most relevant first
    note: str = ""

    @classmethod
    def from_dict(cls, data):
        return cls(
            q=data["q"],
            language=data["language"],
            relevant=tuple(data["relevant"]),
            note=data.get("note", ""),
        )


def load_queries(path=DATA_FILE):
    """The judged queries of a relevance file, as `Query` objects."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Query.from_dict(item) for item in data["queries"]]


def as_query(query):
    return query if isinstance(query, Query) else Query.from_dict(query)


# --- metrics -----------------------------------------------------------------------------


def distinct(keys):
    """Keys in order, without repeats (other language versions of a practice) or Nones."""
    seen, out = set(), []
    for key in keys:
        if key is not None and key not in seen:
            seen.add(key)
            out.append(key)
    return out


def recall_at_k(relevant, ranked, k=10):
    """Share of the relevant keys among the keys of the first k hits (each key counts once)."""
    relevant = set(relevant)
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def reciprocal_rank(relevant, ranked, k=10):
    """1 / rank of the first hit whose key is relevant, among the first k hits; 0 if none."""
    relevant = set(relevant)
    for rank, key in enumerate(ranked[:k], start=1):
        if key in relevant:
            return 1.0 / rank
    return 0.0


def mean(values):
    values = list(values)
    return sum(values) / len(values) if values else 0.0


# --- hits to practice keys ---------------------------------------------------------------


def key_from_url(url):
    """The last path segment of a page URL: /en/practices/some-key/ -> some-key."""
    segments = [s for s in urlsplit(url or "").path.split("/") if s]
    return segments[-1] if segments else None


def hit_keys(hits):
    """The practice key of each hit; another content type keeps its rank as "type:id"."""
    from wagtail.models import Page

    ids = {h.object_id for h in hits if getattr(h, "content_type", "practice") == "practice"}
    slugs = dict(Page.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}
    keys = []
    for hit in hits:
        content_type = getattr(hit, "content_type", "practice")
        if content_type != "practice":
            keys.append(f"{content_type}:{hit.object_id}")
        else:
            keys.append(slugs.get(hit.object_id) or key_from_url(hit.url))
    return keys


def search_hits(query, k):
    """The top k practices the search service finds for a judged query.

    The judged set judges practices only, so the service is asked for practices: an
    expert whose biography is about the query (often a right answer in the mixed list)
    would otherwise count as a miss. `search_hits_all_types` keeps every content type.
    """
    return search_hits_all_types(query, k, filters={"type": ["practice"]})


def search_hits_all_types(query, k, filters=None):
    """The top k hits of the search service, every content type mixed (the search page)."""
    from search.service import SearchRequest, search

    request = SearchRequest(
        text=query.q, language=query.language, per_page=k, facets=[], filters=filters or {}
    )
    return search(request).hits


# --- report ------------------------------------------------------------------------------


@dataclass
class QueryResult:
    query: Query
    got: list  # the practice keys of the top k hits, in rank order, each once
    recall: float
    rr: float

    @property
    def first_relevant_rank(self):
        return round(1 / self.rr) if self.rr else None


@dataclass
class Summary:
    n: int
    recall: float
    mrr: float


@dataclass
class Report:
    k: int
    results: list = field(default_factory=list)

    @property
    def overall(self):
        return self.summary(self.results)

    @property
    def per_language(self):
        """{language: Summary}, the usual languages first."""
        languages = sorted(
            {r.query.language for r in self.results},
            key=lambda c: (LANGUAGE_ORDER.index(c) if c in LANGUAGE_ORDER else 99, c),
        )
        return {
            code: self.summary([r for r in self.results if r.query.language == code])
            for code in languages
        }

    @property
    def failures(self):
        """Queries with recall below 1, worst first (by recall, then reciprocal rank)."""
        return sorted(
            (r for r in self.results if r.recall < 1),
            key=lambda r: (r.recall, r.rr),
        )

    @staticmethod
    def summary(results):
        return Summary(
            n=len(results),
            recall=mean(r.recall for r in results),
            mrr=mean(r.rr for r in results),
        )

    def failure_rows(self, top=5):
        """(q, language, expected, got top-n keys, recall, rr) of each failing query."""
        return [
            {
                "q": r.query.q,
                "language": r.query.language,
                "expected": list(r.query.relevant),
                "got": r.got[:top],
                "recall": r.recall,
                "rr": r.rr,
            }
            for r in self.failures
        ]

    def as_dict(self):
        overall = self.overall
        return {
            "k": self.k,
            "queries": overall.n,
            f"recall@{self.k}": overall.recall,
            "mrr": overall.mrr,
            "per_language": {
                code: {"n": s.n, f"recall@{self.k}": s.recall, "mrr": s.mrr}
                for code, s in self.per_language.items()
            },
            "failures": self.failure_rows(),
        }


def evaluate(
    queries: Iterable,
    k: int = 10,
    search: Callable[[Query, int], Sequence] | None = None,
    keys_of: Callable[[Sequence], list] | None = None,
) -> Report:
    """Run every judged query and measure recall@k and reciprocal rank.

    `queries` are `Query` objects or dicts in the relevance.json format. `search(query, k)`
    returns the hit list (default: the search service, against the current index), and
    `keys_of(hits)` maps hits to practice keys (default: page slug by object id, else the
    URL's last segment).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    search = search or search_hits
    keys_of = keys_of or hit_keys
    report = Report(k=k)
    for query in map(as_query, queries):
        hits = list(search(query, k))[:k]
        ranked = list(keys_of(hits))
        report.results.append(
            QueryResult(
                query=query,
                got=distinct(ranked),
                recall=recall_at_k(query.relevant, ranked, k),
                rr=reciprocal_rank(query.relevant, ranked, k),
            )
        )
    return report


def check_queries(queries, known_keys, min_per_language=0):
    """Problems of a judged set: unknown keys, empty or repeated judgements, thin languages."""
    problems = []
    counts = {}
    for query in map(as_query, queries):
        counts[query.language] = counts.get(query.language, 0) + 1
        if not query.q.strip():
            problems.append("a query has no text")
        if not query.relevant:
            problems.append(f"{query.q!r}: no relevant keys")
        if len(set(query.relevant)) != len(query.relevant):
            problems.append(f"{query.q!r}: a relevant key is repeated")
        unknown = [key for key in query.relevant if key not in known_keys]
        if unknown:
            problems.append(
                f"{query.q!r}: keys not among the known practices: {', '.join(unknown)}"
            )
    for code in LANGUAGE_ORDER:
        if counts.get(code, 0) < min_per_language:
            problems.append(f"{code}: {counts.get(code, 0)} queries, fewer than {min_per_language}")
    return problems
