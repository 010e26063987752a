"""The search page and the JSON API (which the page's autocomplete uses)."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from kx_platform import vocabularies
from kx_platform.formatting import collation_key
from kx_platform.query_state import QueryState
from search.params import BadParameter, read_params
from search.reader_urls import localise_hit_urls
from search.service import SearchRequest, search, suggest

FACET_ORDER = ["type", "pillar", "region", "country", "theme", "lang", "stage"]


def facet_groups(results, params, labels, toggle_url, order=None):
    """The facets of a result list for facet_fieldset.html, in `order` (FACET_ORDER)."""
    facets = []
    for name in order or FACET_ORDER:
        label, vocabulary = labels[name]
        counts = results.facets.get(name, {})
        selected = params.filters.get(name, [])
        options = [
            {
                "value": value,
                "label": str(vocabulary.get(value, value)),
                "count": counts.get(value, 0),
                "selected": value in selected,
                "url": toggle_url(name, value),
            }
            for value in vocabulary
            if counts.get(value) or value in selected
        ]
        options.sort(key=lambda o: (not o["selected"], -o["count"], collation_key(o["label"])))
        facets.append({"param": name, "label": label, "options": options})
    return facets


@require_GET
def search_page(request):
    params = read_params(request.GET, language=get_language())
    results = search(
        SearchRequest(
            text=params.text,
            language=params.language,
            filters=params.filters,
            page=params.page,
            sort=params.sort,
            user=request.user,
        )
    )
    localise_hit_urls(results.hits, get_language(), request)
    state = QueryState(
        request.path,
        text=params.text,
        filters=params.filters,
        sort=params.sort,
        default_sort="relevance",
    )
    labels = {
        facet: (label, vocabulary()) for facet, (label, vocabulary) in vocabularies.FACETS.items()
    }
    language_names = dict(vocabularies.languages())
    return render(
        request,
        "search/search_page.html",
        {
            "params": params,
            "results": results,
            "state": state,
            "facets": facet_groups(results, params, labels, state.toggle_url),
            "cross_language_names": [language_names.get(c, c) for c in results.cross_languages],
            "page_links": state.page_links(
                Paginator(range(results.total), results.per_page), results.page
            ),
            "chips": state.chips({f: labels[f] for f in params.filters}),
            "clear_url": state.url(**{facet: [] for facet in params.filters}),
            "relevance_url": state.sort_url("relevance"),
            "date_url": state.sort_url("date"),
            "first_number": (results.page - 1) * results.per_page + 1,
        },
    )


@require_GET
def api_search(request):
    try:
        params = read_params(request.GET, language=request.GET.get("locale", "en"), strict=True)
    except BadParameter as error:
        return JsonResponse({"error": str(error)}, status=400)
    if request.GET.get("suggest") in ("1", "true"):
        return JsonResponse(
            {
                "query": params.text,
                "suggestions": suggest(params.text, params.language, request.user),
            }
        )
    results = search(
        SearchRequest(
            text=params.text,
            language=params.language,
            filters=params.filters,
            page=params.page,
            per_page=params.per_page,
            sort=params.sort,
            user=request.user,
        )
    )
    return JsonResponse(
        {
            "query": {
                "q": params.text,
                "locale": params.language,
                "filters": params.filters,
                "page": results.page,
                "per_page": results.per_page,
                "sort": params.sort,
            },
            "total": results.total,
            "num_pages": results.num_pages,
            "hits": [
                {
                    "type": h.content_type,
                    "id": h.object_id,
                    "title": h.title,
                    "title_html": h.title_html,
                    "snippet": h.snippet,
                    "url": request.build_absolute_uri(h.url) if h.url else None,
                    "language": h.language,
                    "published_at": h.published_at,
                    "cross_language": h.cross_language,
                }
                for h in results.hits
            ],
            "facets": {
                name: [{"value": v, "count": c} for v, c in sorted(counts.items())]
                for name, counts in results.facets.items()
            },
            "cross_languages": results.cross_languages,
            "concepts": results.concepts,
            "suggestions": results.suggestions,
            "notice": results.notice,
            "backend": results.backend,
        },
        json_dumps_params={"ensure_ascii": False},
    )
