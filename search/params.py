"""Read and validate search parameters from a query string, for the page and the API.

The page is forgiving (bad values are dropped with a notice); the API is strict
(bad values give a 400 with the reason). Both share these rules.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kx_platform import vocabularies
from search.analysis import LANGUAGES
from search.query import MAX_QUERY_CHARS, clean

API_MAX_QUERY_CHARS = 1000
MAX_PER_PAGE = 50
MAX_VALUES = 30


class BadParameter(ValueError):
    pass


@dataclass
class SearchParams:
    text: str = ""
    filters: dict = field(default_factory=dict)
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"
    language: str = "en"
    ignored: list = field(default_factory=list)
    truncated: bool = False


def _int(value, name, minimum, maximum, strict):
    try:
        number = int(value)
        if not minimum <= number <= maximum:
            raise ValueError
        return number
    except (TypeError, ValueError):
        if strict:
            raise BadParameter(
                _("%(name)s must be a whole number from %(min)s to %(max)s.")
                % {"name": name, "min": minimum, "max": maximum}
            ) from None
        return None


def read_params(query, *, language, strict=False, facet_params=None):
    """SearchParams from a QueryDict; with strict=True raise BadParameter on bad input."""
    params = SearchParams(language=language)
    raw_text = query.get("q", "")
    limit = API_MAX_QUERY_CHARS if strict else MAX_QUERY_CHARS
    if len(raw_text) > limit:
        if strict:
            raise BadParameter(_("q may have at most %(max)s characters.") % {"max": limit})
        params.truncated = True
    params.text = clean(raw_text)

    if strict and "locale" in query:
        if query["locale"] not in LANGUAGES:
            raise BadParameter(
                _("locale must be one of: %(values)s.") % {"values": ", ".join(LANGUAGES)}
            )
        params.language = query["locale"]

    page = _int(query.get("page", "1"), "page", 1, 1000, strict)
    params.page = page or 1
    if strict:
        params.per_page = _int(query.get("per_page", "10"), "per_page", 1, MAX_PER_PAGE, True)

    sort = query.get("sort", "relevance")
    if sort not in ("relevance", "date"):
        if strict:
            raise BadParameter(_("sort must be relevance or date."))
        sort = "relevance"
    params.sort = sort

    for facet in facet_params or vocabularies.FACETS:
        raw_values = query.getlist(facet)
        if not raw_values:
            continue
        vocabulary = vocabularies.FACETS[facet][1]()
        values = []
        for raw in raw_values[:MAX_VALUES]:
            value = raw.strip()[:64]
            if facet == "country":
                value = value.upper()
            if value in vocabulary:
                if value not in values:
                    values.append(value)
            elif strict:
                raise BadParameter(
                    _("%(value)s is not a known value of %(facet)s.")
                    % {"value": value[:64], "facet": facet}
                )
            elif value:
                params.ignored.append(facet)
        params.filters[facet] = values
    return params
