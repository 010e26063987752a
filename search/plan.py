"""A search request turned into what every backend executes.

The service parses the text once: it splits it into words, analyses each word with
each language's analyzer, and finds glossary concepts. The result is one clause per
document language: a list of units that must all match, each unit a list of
alternative phrases (token tuples). A word is a unit with one phrase; a glossary
concept is a unit whose phrases are its terms in that language. Documents in the
query's own language rank above the others (tier 0 before tier 1).
"""

from dataclasses import dataclass, field


@dataclass
class SearchPlan:
    language: str
    clauses: dict = field(default_factory=dict)  # {doc language: [[phrase, ...], ...]}
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


@dataclass
class RawResults:
    hits: list
    total: int
    facet_counts: dict  # {facet: {value: count}}
    cross_languages: list  # document languages reached only through other languages
