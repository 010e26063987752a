"""The practice list: filters from the URL, disjunctive facet counts, sorting, pages.

Every piece of state lives in the query string, so a filtered list can be shared and
the back button works. Facets combine with AND across facets and OR within one; each
option's count is computed with every other active filter applied (disjunctive
faceting), so a reader sees what choosing it would add. The number of SQL queries is
fixed, whatever the number of practices.
"""

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, Value, When
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from kx_platform import vocabularies
from kx_platform.content_cache import cached
from kx_platform.formatting import collation_key
from kx_platform.query_state import QueryState
from practices.models import GoodPracticePage, PracticeTheme
from practices.queries import (
    available_in,
    languages_by_practice,
    practices_for_display,
    public_practices,
    restricted_condition,
)

MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FILTER = 30
MAX_VALUE_LENGTH = 64
SORTS = {
    "relevance": ("-first_published_at", "-pk"),  # by search rank when there is a text
    "newest": ("-first_published_at", "-pk"),
    "title": ("title", "pk"),
}


@dataclass
class FacetOption:
    value: str
    label: str
    count: int = 0
    selected: bool = False
    url: str = ""


@dataclass
class Facet:
    param: str
    label: str
    options: list = field(default_factory=list)

    @property
    def selected(self):
        return [o for o in self.options if o.selected]


class FilterSpec:
    """One facet: its URL parameter, its vocabulary, and how it narrows a queryset."""

    param = ""

    @property
    def label(self):
        return vocabularies.FACETS[self.param][0]

    def vocabulary(self):
        """{value: label} of every value the facet accepts."""
        return vocabularies.FACETS[self.param][1]()

    def condition(self, values, restricted):
        raise NotImplementedError

    def counts(self, subset, restricted):
        """{value: count} over the subset of displayed practices."""
        raise NotImplementedError


class ManyToManySpec(FilterSpec):
    relation = ""  # the ParentalManyToManyField on GoodPracticePage
    key = ""  # the field of the related model the URL names

    def through(self):
        return getattr(GoodPracticePage, self.relation).through

    def condition(self, values, restricted):
        through = self.through()
        matching = through.objects.filter(**{f"{self.target_field}__{self.key}__in": values})
        return Q(pk__in=matching.values("goodpracticepage_id"))

    @property
    def target_field(self):
        through = self.through()
        return next(
            f.name
            for f in through._meta.get_fields()
            if f.is_relation and f.name != "goodpracticepage"
        )

    def counts(self, subset, restricted):
        through = self.through()
        rows = (
            through.objects.filter(goodpracticepage_id__in=subset.values("pk"))
            .values(f"{self.target_field}__{self.key}")
            .annotate(n=Count("pk"))
        )
        return {str(r[f"{self.target_field}__{self.key}"]): r["n"] for r in rows}


class PillarSpec(ManyToManySpec):
    param, relation, key = "pillar", "pillars", "number"


class RegionSpec(ManyToManySpec):
    param, relation, key = "region", "regions", "slug"


class CountrySpec(ManyToManySpec):
    param, relation, key = "country", "countries", "code"


class ThemeSpec(FilterSpec):
    param = "theme"

    def condition(self, values, restricted):
        matching = PracticeTheme.objects.filter(tag__slug__in=values)
        return Q(pk__in=matching.values("content_object_id"))

    def counts(self, subset, restricted):
        rows = (
            PracticeTheme.objects.filter(content_object_id__in=subset.values("pk"))
            .values("tag__slug")
            .annotate(n=Count("pk"))
        )
        return {r["tag__slug"]: r["n"] for r in rows}


class ChoiceSpec(FilterSpec):
    model_field = ""

    def condition(self, values, restricted):
        return Q(**{f"{self.model_field}__in": values})

    def counts(self, subset, restricted):
        rows = subset.order_by().values(self.model_field).annotate(n=Count("pk"))
        return {r[self.model_field]: r["n"] for r in rows}


class StageSpec(ChoiceSpec):
    param, model_field = "stage", "evidence_stage"


class ScaleSpec(ChoiceSpec):
    param, model_field = "scale", "scale"


class LanguageSpec(FilterSpec):
    """Available in a language: the practice has a published version in it."""

    param = "lang"

    def condition(self, values, restricted):
        condition = Q()
        for code in values:
            condition |= available_in(code, restricted)
        return condition

    def counts(self, subset, restricted):
        aggregates = {
            f"n_{i}": Count("pk", filter=Q(available_in(code, restricted)))
            for i, code in enumerate(self.vocabulary())
        }
        row = subset.order_by().aggregate(**aggregates)
        return {code: row[f"n_{i}"] for i, code in enumerate(self.vocabulary())}


FILTERS = [
    PillarSpec(),
    RegionSpec(),
    CountrySpec(),
    ThemeSpec(),
    StageSpec(),
    ScaleSpec(),
    LanguageSpec(),
]
# Facets whose every option is listed even at zero; the others list what occurs.
ALWAYS_LISTED = {"pillar", "region", "stage", "scale", "lang"}


class PracticeListing:
    """The state of one practice-list request and everything its template shows."""

    def __init__(self, params, *, locale=None, base_url="", per_page=None):
        self.base_url = base_url
        self.locale = locale or Locale.get_active()
        self.per_page = per_page or settings.KX_PRACTICES_PER_PAGE
        self.ignored = []
        self.query_truncated = False
        self.vocabularies = {
            spec.param: cached(
                f"vocabulary:{spec.param}:{self.locale.language_code}", spec.vocabulary
            )
            for spec in FILTERS
        }
        self.selected = {spec.param: self._read_values(params, spec) for spec in FILTERS}
        self.query = self._read_query(params)
        default_sort = "relevance" if self.query else "newest"
        self.sort = params.get("sort") if params.get("sort") in SORTS else default_sort
        self._page_param = params.get("page", "1")
        self._compute()

    @classmethod
    def from_request(cls, request, index_page=None):
        base_url = index_page.url if index_page is not None else request.path
        return cls(request.GET, base_url=base_url)

    # --- reading the URL ------------------------------------------------------------
    def _read_values(self, params, spec):
        vocabulary = self.vocabularies[spec.param]
        values = []
        for raw in params.getlist(spec.param)[:MAX_VALUES_PER_FILTER]:
            value = raw.strip()[:MAX_VALUE_LENGTH]
            if spec.param == "country":
                value = value.upper()
            if value in vocabulary:
                if value not in values:
                    values.append(value)
            elif value:
                self.ignored.append(spec.param)
        return values

    def _read_query(self, params):
        query = " ".join(params.get("q", "").split())
        if len(query) > MAX_QUERY_LENGTH:
            self.query_truncated = True
            query = query[:MAX_QUERY_LENGTH]
        return query

    # --- querying -------------------------------------------------------------------
    def _filtered(self, restricted, display, skip=None):
        qs = display
        if self.matching_keys is not None:
            qs = qs.filter(translation_key__in=self.matching_keys)
        for spec in FILTERS:
            values = self.selected[spec.param]
            if values and spec.param != skip:
                qs = qs.filter(spec.condition(values, restricted))
        return qs

    def _compute(self):
        self.matching_keys = None
        if self.query:
            from search.service import matching_keys

            self.matching_keys = matching_keys(self.query, self.locale.language_code)
        restricted = restricted_condition()
        base = public_practices(restricted)
        display = practices_for_display(self.locale, base, restricted)
        results = self._filtered(restricted, display)

        # The counts depend only on the filters (not on the page or the sort), so
        # readers paging or re-sorting a list share them until content changes.
        state = repr((self.locale.language_code, self.query, sorted(self.selected.items())))
        counts = cached(
            f"practice-counts:{hashlib.sha256(state.encode()).hexdigest()}",
            lambda: self._counts(restricted, display, results),
        )
        paginator = Paginator(self._ordered(results), self.per_page)
        paginator.count = counts["total"]
        self.page = paginator.get_page(self._page_param)
        self.paginator = paginator
        self.total = paginator.count
        self.items = list(
            self.page.object_list.select_related("locale").prefetch_related(
                "pillars", "countries", "theme_items__tag"
            )
        )
        languages = languages_by_practice(self.items, base)
        for item in self.items:
            item.available_languages = sorted(languages.get(item.translation_key, []))
        self.facets = [self._facet(spec, counts[spec.param]) for spec in FILTERS]

    def _counts(self, restricted, display, results):
        counts = {"total": results.count()}
        for spec in FILTERS:
            subset = (
                self._filtered(restricted, display, skip=spec.param)
                if self.selected[spec.param]
                else results
            )
            counts[spec.param] = spec.counts(subset, restricted)
        return counts

    def _ordered(self, results):
        if self.sort == "relevance" and self.matching_keys:
            rank = Case(
                *(
                    When(translation_key=key, then=Value(i))
                    for i, key in enumerate(self.matching_keys)
                ),
                default=Value(len(self.matching_keys)),
            )
            return results.order_by(rank, "pk")
        return results.order_by(*SORTS["newest" if self.sort == "relevance" else self.sort])

    def _facet(self, spec, counts):
        selected = self.selected[spec.param]
        options = []
        for value, label in self.vocabularies[spec.param].items():
            count = counts.get(value, 0)
            if count or value in selected or spec.param in ALWAYS_LISTED:
                options.append(
                    FacetOption(
                        value=value,
                        label=str(label),
                        count=count,
                        selected=value in selected,
                        url=self.toggle_url(spec.param, value),
                    )
                )
        if spec.param not in ALWAYS_LISTED:
            options.sort(key=lambda o: (not o.selected, -o.count, collation_key(o.label)))
        return Facet(param=spec.param, label=spec.label, options=options)

    # --- URLs -----------------------------------------------------------------------
    @cached_property
    def query_state(self):
        return QueryState(
            self.base_url,
            text=self.query,
            filters=self.selected,
            sort=self.sort,
            default_sort=self.default_sort,
        )

    def url(self, **changes):
        return self.query_state.url(**changes)

    def toggle_url(self, param, value):
        return self.query_state.toggle_url(param, value)

    def page_url(self, number):
        return self.query_state.page_url(number)

    @property
    def default_sort(self):
        return "relevance" if self.query else "newest"

    def sort_url(self, sort):
        return self.query_state.sort_url(sort)

    @property
    def active_filters(self):
        labels = {spec.param: (spec.label, self.vocabularies[spec.param]) for spec in FILTERS}
        return self.query_state.chips(labels, include_text=True)

    @property
    def clear_url(self):
        return self.base_url

    @property
    def has_filters(self):
        return bool(self.query) or any(self.selected.values())

    @property
    def sort_options(self):
        options = [
            {"value": "newest", "label": _("Newest first"), "url": self.sort_url("newest")},
            {"value": "title", "label": _("Title (A–Z)"), "url": self.sort_url("title")},
        ]
        if self.query:
            options.insert(
                0,
                {"value": "relevance", "label": _("Relevance"), "url": self.sort_url("relevance")},
            )
        return options

    # --- pagination -------------------------------------------------------------------
    @property
    def page_links(self):
        return self.query_state.page_links(self.paginator, self.page.number)

    @property
    def previous_url(self):
        return self.page_url(self.page.previous_page_number()) if self.page.has_previous() else None

    @property
    def next_url(self):
        return self.page_url(self.page.next_page_number()) if self.page.has_next() else None
