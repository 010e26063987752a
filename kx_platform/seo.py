"""Absolute addresses and language alternates for search engines and feeds.

Every absolute URL the site hands out (canonical and hreflang links, OpenGraph, the
sitemap, robots.txt, feeds) starts with the configured base URL (`KX_BASE_URL`, read
into `WAGTAILADMIN_BASE_URL`; production refuses to start without it), not with the
Wagtail Site's hostname (the set-up's "localhost") nor with the request's Host header.
"""

from django.conf import settings
from django.utils.translation import get_language_from_path

OG_LOCALES = {"ar": "ar_AR", "en": "en_GB", "fr": "fr_FR", "es": "es_ES"}


def base_url(request=None):
    configured = (getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "").rstrip("/")
    if configured or request is None:
        return configured
    return f"{request.scheme}://{request.get_host()}"


def absolute(path, request=None):
    if path.startswith(("http://", "https://")):
        return path
    return f"{base_url(request)}{path}"


def page_path(page, request=None):
    """The page's path from the site root (with its language prefix), or None when
    the page is not routable."""
    parts = page.get_url_parts(request)
    return None if parts is None else parts[2]


def og_locale(code):
    return OG_LOCALES.get(code, code.replace("-", "_"))


def language_codes():
    return [code for code, _name in settings.LANGUAGES]


def page_alternates(page, request=None):
    """[(language code, absolute URL)] of the page's live translations, itself included,
    in the order of settings.LANGUAGES."""
    order = {code: i for i, code in enumerate(language_codes())}
    found = []
    for translation in page.get_translations(inclusive=True).live().select_related("locale"):
        code = translation.locale.language_code
        path = page_path(translation, request)
        if code in order and path:
            found.append((code, absolute(path, request)))
    return sorted(found, key=lambda item: order[item[0]])


def path_alternates(path, request=None):
    """[(language code, absolute URL)] for a view outside the page tree: the same path
    under each language prefix (the view exists in every language)."""
    current = get_language_from_path(path)
    if current is None:
        return []
    rest = path[len(current) + 1 :]
    return [(code, absolute(f"/{code}{rest}", request)) for code in language_codes()]


def x_default(alternates):
    """The address for readers of no listed language: the default language's version,
    else the first one."""
    by_code = dict(alternates)
    if settings.LANGUAGE_CODE in by_code:
        return by_code[settings.LANGUAGE_CODE]
    return alternates[0][1] if alternates else None
