"""Atom feeds of newly published practices: /<lang>/practices/feed/, one per language,
narrowed with the practice list's own parameters (`?pillar=<number>`, `?region=<slug>`,
several values of one meaning "any of them", as on the list).

A feed lists the practices published in its language (the practices written in it and
their translations into it), newest first. An unknown pillar or region is refused with
400 and the reason: a feed reader would otherwise keep polling an empty feed.
"""

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from kx_platform import seo
from kx_platform.models import Pillar, Region
from practices.queries import public_practices

FEED_SIZE = 30
MAX_VALUES = 10
MAX_VALUE_LENGTH = 64


class UnknownFeedFilter(ValueError):
    pass


def _unknown_pillar(value):
    return UnknownFeedFilter(
        _("There is no pillar “%(value)s”.") % {"value": value[:MAX_VALUE_LENGTH]}
    )


def _unknown_region(value):
    return UnknownFeedFilter(
        _("There is no region “%(value)s”.") % {"value": value[:MAX_VALUE_LENGTH]}
    )


def feed_filters(params):
    """{"pillar": [Pillar], "region": [Region]} from a query string, or UnknownFeedFilter
    saying which value is not known."""
    filters = {"pillar": [], "region": []}
    pillar_values = [v.strip() for v in params.getlist("pillar") if v.strip()][:MAX_VALUES]
    region_values = [v.strip() for v in params.getlist("region") if v.strip()][:MAX_VALUES]
    if pillar_values:
        numbers = {}
        for value in pillar_values:
            if not (value.isascii() and value.isdigit() and len(value) <= 3):
                raise _unknown_pillar(value)
            numbers[int(value)] = value
        found = {p.number: p for p in Pillar.objects.filter(number__in=numbers)}
        for number, value in numbers.items():
            if number not in found:
                raise _unknown_pillar(value)
        filters["pillar"] = [found[n] for n in sorted(found)]
    if region_values:
        for value in region_values:
            if len(value) > MAX_VALUE_LENGTH:
                raise _unknown_region(value)
        found = {r.slug: r for r in Region.objects.filter(slug__in=region_values)}
        for value in region_values:
            if value not in found:
                raise _unknown_region(value)
        filters["region"] = [found[slug] for slug in dict.fromkeys(region_values)]
    return filters


def feed_query(filters):
    """The query string naming `filters` (as the practice list does)."""
    pairs = [("pillar", p.number) for p in filters.get("pillar", [])]
    pairs += [("region", r.slug) for r in filters.get("region", [])]
    return urlencode(pairs)


def feed_url(filters=None):
    """The feed of the active language, narrowed to `filters`."""
    url = reverse("practice_feed")
    query = feed_query(filters or {})
    return f"{url}?{query}" if query else url


class PracticeFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except UnknownFeedFilter as problem:
            return HttpResponseBadRequest(str(problem), content_type="text/plain; charset=utf-8")

    def get_object(self, request):
        filters = feed_filters(request.GET)
        return {"filters": filters, "request": request, "language": get_language()}

    # --- The feed ---------------------------------------------------------------

    def title(self, obj):
        names = [str(p) for p in obj["filters"]["pillar"]]
        names += [r.name for r in obj["filters"]["region"]]
        if not names:
            return gettext("KX: newly published good practices")
        return gettext("KX: newly published good practices: %(filters)s") % {
            "filters": ", ".join(names)
        }

    def subtitle(self, obj):
        return gettext(
            "Good practices in counter-terrorism and preventing violent extremism shared "
            "on the South-South knowledge exchange platform."
        )

    def link(self, obj):
        from practices.models import PracticeIndexPage

        locale = Locale.get_active()
        index = PracticeIndexPage.objects.live().filter(locale=locale).first()
        path = seo.page_path(index, obj["request"]) if index else None
        if path is None:
            return seo.absolute(f"/{obj['language']}/", obj["request"])
        query = feed_query(obj["filters"])
        return seo.absolute(f"{path}?{query}" if query else path, obj["request"])

    def feed_url(self, obj):
        return seo.absolute(feed_url(obj["filters"]), obj["request"])

    def feed_guid(self, obj):
        return self.feed_url(obj)

    def items(self, obj):
        practices = public_practices().filter(locale=Locale.get_active())
        if obj["filters"]["pillar"]:
            practices = practices.filter(pillars__in=obj["filters"]["pillar"])
        if obj["filters"]["region"]:
            practices = practices.filter(regions__in=obj["filters"]["region"])
        return list(
            practices.distinct()
            .order_by("-first_published_at", "-pk")
            .defer("approach", "sources")
            .prefetch_related("pillars", "theme_items__tag")[:FEED_SIZE]
        )

    # --- Each practice ------------------------------------------------------------

    def item_title(self, item):
        return item.title  # plain text: the XML writer escapes it (no double escaping)

    def item_description(self, item):
        # Atom's summary is typed html: the plain-text summary is escaped to read as written.
        return escape(Truncator(item.summary).chars(300))

    def item_link(self, item):
        return seo.absolute(seo.page_path(item) or item.url)

    def item_guid(self, item):
        return self.item_link(item)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.first_published_at

    def item_author_name(self, item):
        names = [
            block.value["name"]
            for block in item.organisations
            if block.block_type == "organisation" and block.value.get("name")
        ]
        return ", ".join(names) or None

    def item_categories(self, item):
        categories = [str(p) for p in item.pillars.all()]
        categories += [row.tag.display_name for row in item.theme_items.all()]
        return categories


practice_feed = PracticeFeed()
