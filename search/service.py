"""The one search service every view uses.

`search(SearchRequest)` parses the text (search.query), asks the active backend
(Elasticsearch when configured and reachable, else the embedded index) and returns
hits with highlighted snippets, the total, facet counts and suggestions.
"""

import logging
import math
from dataclasses import dataclass, field

from kx_platform import vocabularies
from search.analysis import make_snippet
from search.backends import elasticsearch_configured
from search.backends.embedded import get_index
from search.plan import SearchPlan
from search.query import clean, parse

logger = logging.getLogger(__name__)

MAX_PAGE = 1000
PER_PAGE = 10
SORTS = ("relevance", "date")


@dataclass
class SearchRequest:
    text: str = ""
    language: str = "en"
    filters: dict = field(default_factory=dict)  # {facet: [values]}, already validated
    facets: list = field(default_factory=lambda: list(vocabularies.FACETS))
    page: int = 1
    per_page: int = PER_PAGE
    sort: str = "relevance"
    user: object = None


@dataclass
class SearchHit:
    content_type: str
    object_id: int
    title: str
    title_html: str  # safe HTML: the escaped title with <mark> around matches
    snippet: str  # safe HTML: escaped text with <mark> around matches
    url: str
    language: str
    translation_key: str
    published_at: str | None
    cross_language: bool
    score: float


@dataclass
class SearchResults:
    hits: list
    total: int
    page: int
    per_page: int
    facets: dict  # {facet: {value: count}}
    suggestions: list
    cross_languages: list
    concepts: list
    notice: str = ""  # "only_stopwords" when the text had nothing to search for
    backend: str = "embedded"

    @property
    def num_pages(self):
        return max(1, math.ceil(self.total / self.per_page))


def visibility_for(user):
    """The visibility tiers of documents a user may read: anonymous visitors (and
    crawlers) "public"; signed-in members also "members"; approved experts also
    "experts"; moderators and superusers everything (experts.privacy decides the tier)."""
    from experts.privacy import search_tiers

    return search_tiers(user)


def active_backend():
    if elasticsearch_configured():
        from search.backends.elastic import get_elastic_backend

        backend = get_elastic_backend()
        if backend.available():
            return backend
        logger.warning("Elasticsearch is unreachable: searching the embedded index instead")
    return get_index()


def _run(plan):
    """(backend, raw results): Elasticsearch when it answers, else the embedded index."""
    backend = active_backend()
    try:
        return backend, backend.search(plan)
    except Exception:
        if backend.name == "embedded":
            raise
        logger.exception("Elasticsearch search failed: searching the embedded index instead")
        backend = get_index()
        return backend, backend.search(plan)


def search(request):
    parsed = parse(request.text, request.language)
    page = min(max(1, request.page), MAX_PAGE)
    plan = SearchPlan(
        language=parsed.language,
        clauses=parsed.clauses,
        texts=parsed.texts,
        strict=parsed.strict,
        filters={k: v for k, v in request.filters.items() if v},
        facets=[f for f in request.facets if f in vocabularies.FACETS],
        visibility=visibility_for(request.user),
        sort=request.sort if request.sort in SORTS else "relevance",
        offset=(page - 1) * request.per_page,
        limit=request.per_page,
    )
    backend, raw = _run(plan)
    last_page = max(1, math.ceil(raw.total / request.per_page))
    if page > last_page and raw.total:
        # Past the end: answer with the last page rather than an empty one.
        plan.offset = (last_page - 1) * request.per_page
        page = last_page
        raw = backend.search(plan)
    hits = [
        SearchHit(
            content_type=h.content_type,
            object_id=h.object_id,
            title=h.title,
            title_html=make_snippet(h.title, h.language, plan.tokens_for(h.language), 1000),
            snippet=_snippet(h, plan),
            url=h.url,
            language=h.language,
            translation_key=h.translation_key,
            published_at=h.published_at,
            cross_language=h.cross_language,
            score=h.score,
        )
        for h in raw.hits
    ]
    return SearchResults(
        hits=hits,
        total=raw.total,
        page=page,
        per_page=request.per_page,
        facets=raw.facet_counts,
        suggestions=suggest(request.text, request.language, request.user) if not hits else [],
        cross_languages=raw.cross_languages,
        concepts=parsed.concepts,
        notice="only_stopwords" if parsed.words and not plan.has_text else "",
        backend=backend.name,
    )


def _snippet(hit, plan):
    tokens = plan.tokens_for(hit.language)
    text = hit.summary
    if tokens and hit.body:
        summary_snippet = make_snippet(hit.summary, hit.language, tokens)
        if "<mark>" not in summary_snippet:
            body_snippet = make_snippet(hit.body, hit.language, tokens)
            if "<mark>" in body_snippet:
                return body_snippet
        return summary_snippet
    return make_snippet(text, hit.language, tokens)


def suggest(text, language, user=None, limit=8):
    """Completions for what the user is typing: titles, themes and glossary terms."""
    from search.glossary import get_glossary
    from search.query import suggestion_tokens

    text = clean(text)[:100]
    if not text:
        return []
    results = get_index().suggest(suggestion_tokens(text), visibility_for(user), limit)
    seen = {r["text"].casefold() for r in results}
    for theme in _themes_starting_with(text, language):
        if theme.casefold() not in seen and len(results) < limit:
            seen.add(theme.casefold())
            results.append({"text": theme, "kind": "theme", "language": language, "url": None})
    for term in get_glossary().terms_starting_with(text, language, limit):
        if term.casefold() not in seen and len(results) < limit:
            seen.add(term.casefold())
            results.append({"text": term, "kind": "glossary", "language": language, "url": None})
    return results[:limit]


def matching_keys(text, language, user=None, content_type="practice", limit=2000):
    """Translation keys of the documents matching `text`, best first (for lists that
    filter in the database but take their text matching from search)."""
    parsed = parse(text, language)
    if not parsed.clauses or not any(parsed.clauses.values()):
        return None  # nothing to match on: the caller shows everything
    plan = SearchPlan(
        language=parsed.language,
        clauses=parsed.clauses,
        texts=parsed.texts,
        strict=parsed.strict,
        require_all=True,
        filters={"type": [content_type]},
        facets=[],
        visibility=visibility_for(user),
        limit=limit,
    )
    _backend, raw = _run(plan)
    return [h.translation_key for h in raw.hits]


def _themes_starting_with(text, language, limit=5):
    """Theme names, in the reader's language where translated, that start with `text`."""
    from django.db.models import Q
    from django.utils import translation

    from kx_platform.models import Theme

    matching = Q(name__istartswith=text)
    for code in ("ar", "fr", "es"):
        matching |= Q(**{f"name_{code}__istartswith": text})
    with translation.override(language):
        return [t.display_name for t in Theme.objects.filter(matching)[:limit]]
