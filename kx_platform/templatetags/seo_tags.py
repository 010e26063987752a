"""What <head> tells search engines, social previews and feed readers about a page
(templates/components/head_meta.html): description, canonical and hreflang links,
OpenGraph, and the practices' Atom feed where it belongs."""

from django import template
from django.utils.text import Truncator
from django.utils.translation import get_language
from wagtail.models import Page

from kx_platform import seo

register = template.Library()

DESCRIPTION_LENGTH = 160


def _description(page):
    text = (page.search_description or "").strip()
    if not text:
        for field in ("summary", "intro"):
            text = (getattr(page, field, "") or "").strip()
            if text:
                break
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_LENGTH) if text else ""


def _image_url(page, request):
    """An absolute URL of the practice's first image (for og:image), or ""."""
    from wagtail.images.models import SourceImageIOError

    approach = getattr(page, "approach", None)
    for block in approach or []:
        if block.block_type == "image" and block.value.get("image"):
            try:
                rendition = block.value["image"].get_rendition("max-1200x630")
            except (SourceImageIOError, OSError):
                return ""
            return seo.absolute(rendition.url, request)
    return ""


def _feeds(page, request):
    """[(title, URL)] of the Atom feeds to announce on the home page and the practice list
    (the list's pillar and region filters carried over when they are known)."""
    from kx_platform.models import HomePage
    from practices.feeds import UnknownFeedFilter, feed_filters, feed_url
    from practices.models import PracticeIndexPage

    if not isinstance(page, (HomePage, PracticeIndexPage)):
        return []
    filters = {}
    if isinstance(page, PracticeIndexPage) and request is not None:
        try:
            filters = feed_filters(request.GET)
        except UnknownFeedFilter:
            filters = {}
    return [
        (
            seo.absolute(feed_url(filters), request),
            bool(filters.get("pillar") or filters.get("region")),
        )
    ]


@register.simple_tag(takes_context=True)
def head_meta(context):
    request = context.get("request")
    page = context.get("page")
    language = get_language()
    meta = {"language": language, "og_locale": seo.og_locale(language), "feeds": []}
    if isinstance(page, Page) and seo.page_path(page, request):
        from practices.models import GoodPracticePage

        meta["canonical"] = seo.absolute(seo.page_path(page, request), request)
        meta["alternates"] = seo.page_alternates(page, request)
        meta["description"] = _description(page)
        meta["title"] = page.seo_title or page.title
        meta["og_type"] = "article" if isinstance(page, GoodPracticePage) else "website"
        if isinstance(page, GoodPracticePage):
            meta["image"] = _image_url(page, request)
        meta["feeds"] = _feeds(page, request)
    elif request is not None:
        meta["canonical"] = seo.absolute(request.path, request)
        meta["alternates"] = seo.path_alternates(request.path, request)
    else:
        meta["alternates"] = []
    meta["x_default"] = seo.x_default(meta["alternates"])
    meta["og_alternate_locales"] = [
        seo.og_locale(code) for code, _url in meta["alternates"] if code != language
    ]
    return meta


@register.simple_tag(takes_context=True)
def practice_feeds(context):
    """The feeds announced in <head>, for a visible link on the page."""
    return _feeds(context.get("page"), context.get("request"))
