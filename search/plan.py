"""A search request turned into what every backend executes.

The service parses the text once: it splits it into words, analyses each word with
each language's analyzer, and finds glossary concepts. The result is one clause per
document language: a list of units, each unit a list of alternative phrases (token
tuples). A word is a unit with one phrase; a glossary concept is a unit whose phrases
are its terms in that language.

A document matches when any unit of its language's clause matches; it matches fully
when every unit listed in `strict[language]` does (in other languages than the
query's, only the concepts are required: a word without a translation cannot be).
Results are ranked in tiers, then by BM25 within a tier:
  0  the query's language, full match      1  another language, full match
  2  the query's language, partial match   3  another language, partial match
With `require_all` only full matches count (lists filtered by a text). Without it, when
at least MIN_FULL_MATCHES results match fully, only those are listed and counted (a loose
query on a large corpus would otherwise match most of it); below that, the partial
matches follow them. Both backends do the same.
"""

from dataclasses import dataclass, field

MIN_FULL_MATCHES = 10


@dataclass
class SearchPlan:
    language: str
    clauses: dict = field(default_factory=dict)  # {doc language: [[phrase, ...], ...]}
    strict: dict = field(default_factory=dict)  # {doc language: [unit indexes required]}
    require_all: bool = False
    # The same units as the words the user typed (and glossary terms), for engines that
    # analyse text themselves (Elasticsearch): {doc language: [[text, ...], ...]}
    texts: dict = field(default_factory=dict)
    filters: dict = field(default_factory=dict)  # {facet: [values]}
    facets: list = field(default_factory=list)  # facets to count
    visibility: list = field(default_factory=lambda: ["public"])
    sort: str = "relevance"  # or "date"
    offset: int = 0
    limit: int = 10

    @property
    def has_text(self):
        return any(self.clauses.values())

    def tokens_for(self, language):
        """Every token a document in `language` may be highlighted for."""
        return {t for unit in self.clauses.get(language, []) for phrase in unit for t in phrase}


@dataclass
class RawHit:
    doc_id: str
    content_type: str
    object_id: int
    translation_key: str
    language: str
    title: str
    summary: str
    body: str
    url: str
    published_at: str | None
    tier: int
    score: float

    @property
    def cross_language(self):
        return self.tier % 2 == 1


@dataclass
class RawResults:
    hits: list
    total: int
    facet_counts: dict  # {facet: {value: count}}
    cross_languages: list  # document languages reached only through other languages
