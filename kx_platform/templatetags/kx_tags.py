"""Template tags used by every page: the language switcher and small formatting helpers."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Locale, Page

register = template.Library()


def _translation_url(page, locale):
    """The URL of `page` (or its nearest translated ancestor) in `locale`."""
    for candidate in [page, *reversed(page.get_ancestors().filter(depth__gt=1))]:
        translated = candidate.get_translation_or_none(locale)
        if translated is not None and translated.live:
            return translated.url, candidate.pk == page.pk
    return None, False


@register.inclusion_tag("components/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to this page in each language; the query string (filters) is kept."""
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    query = request.META.get("QUERY_STRING", "") if request else ""
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    links = []
    for code, name in settings.LANGUAGES:
        url, same_page = None, True
        if isinstance(page, Page) and code in locales:
            url, same_page = _translation_url(page, locales[code])
        if url is None and request is not None:
            url = translate_url(request.path, code)
        if url and query and same_page:
            url = f"{url}?{query}"
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return {"links": links}


@register.filter
def language_name(code):
    return dict(settings.LANGUAGES).get(code, code)
