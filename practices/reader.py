"""Reading in one's own interface language, whatever the content's language.

A reader who browses /ar/ stays under /ar/: a practice (or a guidebook edition) that has no
version in the reader's language opens under the reader's prefix, at
/<reader language>/<library slug>/<the page's slug>/, with the interface in the reader's
language and the content marked with its own language. The library index pages route such
addresses (`fallback_child`); `reader_url` builds them. The page's own URL (under its own
language) stays its canonical address.
"""

from django.conf import settings
from django.http import Http404
from django.utils import translation


def reader_language():
    """The active interface language, as a content-language code."""
    codes = {code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES}
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language in codes:
        return language
    base = language.split("-")[0]
    return base if base in codes else settings.LANGUAGE_CODE


def _index_urls(model, request=None):
    """{language code: URL} of the live index pages of `model` (one per language), read
    once per request."""
    cache = getattr(request, "_kx_reader_index_urls", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._kx_reader_index_urls = cache
    key = model._meta.label
    if key not in cache:
        urls = {}
        for index in model.objects.live().select_related("locale").order_by("pk"):
            urls.setdefault(index.locale.language_code, index.get_url(request))
        cache[key] = urls
    return cache[key]


def _index_model(page):
    from practices.models import (
        GoodPracticePage,
        GuidebookIndexPage,
        GuidebookPage,
        PracticeIndexPage,
    )

    if isinstance(page, GoodPracticePage):
        return PracticeIndexPage
    if isinstance(page, GuidebookPage):
        return GuidebookIndexPage
    return None


def reader_url(page, language=None, request=None):
    """Where a reader of `language` (the active language by default) opens `page`: its own
    URL when it is in that language, else the same slug under that language's library
    (served by the library's fallback route with the reader's interface)."""
    language = language or reader_language()
    if page.locale.language_code == language:
        return page.get_url(request)
    model = _index_model(page)
    index_url = _index_urls(model, request).get(language) if model else None
    if not index_url:
        return page.get_url(request)
    return f"{index_url}{page.slug}/"


def fallback_child(index, slug, child_model):
    """The live `child_model` page with this slug under a translation of `index` (another
    language's library), for a reader of the index's language; the version in the index's
    language instead when one is published. None when there is none. (Two libraries may
    each hold a page with this slug: the oldest page wins.)"""
    from django.db.models import Q

    condition = Q()
    for other in index.get_translations().live().only("path", "depth"):
        condition |= Q(path__startswith=other.path, depth=other.depth + 1)
    if not condition:
        return None
    pages = child_model.objects.live().public()
    found = pages.filter(condition, slug=slug).order_by("pk").first()
    if found is None:
        return None
    own = pages.filter(translation_key=found.translation_key, locale=index.locale).first()
    return own or found


class ReaderFallbackRoute:
    """For a library index page (practices, guidebook editions): a child with no version in
    this index's language opens here too, under the reader's language prefix."""

    def fallback_child_model(self):
        raise NotImplementedError

    def route(self, request, path_components):
        try:
            return super().route(request, path_components)
        except Http404:
            if not path_components:
                raise
            page = fallback_child(self, path_components[0], self.fallback_child_model())
            if page is None:
                raise
            return page.specific.route(request, path_components[1:])


def interface_language_name(code):
    """A language's name in the interface language ("الإنجليزية" for en under /ar/)."""
    try:
        return translation.get_language_info(code)["name_translated"]
    except KeyError:
        return dict(settings.LANGUAGES).get(code, code)


def other_language_editions(index, request=None):
    """Live guidebook editions of other languages that have no version in the index's
    language, each with the URL a reader of that language opens it at."""
    from django.db.models import Exists, OuterRef, Q

    from practices.models import GuidebookPage

    condition = Q()
    for other in index.get_translations().live().only("path", "depth"):
        condition |= Q(path__startswith=other.path, depth=other.depth + 1)
    if not condition:
        return []
    own_version = GuidebookPage.objects.live().filter(
        translation_key=OuterRef("translation_key"), locale=index.locale
    )
    editions = (
        GuidebookPage.objects.live()
        .public()
        .filter(condition)
        .exclude(Exists(own_version))
        .select_related("locale")
        .order_by("-year", "-edition_number", "pk")
    )
    language = index.locale.language_code
    seen, found = set(), []
    for edition in editions:
        if edition.translation_key in seen:
            continue
        seen.add(edition.translation_key)
        edition.reader_url = reader_url(edition, language, request)
        found.append(edition)
    return found
