"""What a practice page shows beyond its own fields."""

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from practices.models import GoodPracticePage
from practices.queries import practices_for_display, public_practices

RELATED_COUNT = 3


def practice_index_url(page):
    """The practice list in the reader's language, where filter chips lead."""
    from practices.models import PracticeIndexPage

    index = PracticeIndexPage.objects.live().filter(locale=page.locale).first()
    return index.url if index else "/"


def related_practices(page):
    """Published practices sharing a pillar, ranked by shared themes then recency."""
    pillar_ids = list(page.pillars.values_list("pk", flat=True))
    theme_ids = list(page.themes.values_list("pk", flat=True))
    if not pillar_ids:
        return []
    base = public_practices()
    return list(
        practices_for_display(page.locale, base)
        .exclude(translation_key=page.translation_key)
        .filter(pillars__in=pillar_ids)
        .annotate(
            shared_themes=Count(
                "theme_items", filter=Q(theme_items__tag_id__in=theme_ids), distinct=True
            )
        )
        .order_by("-shared_themes", "-first_published_at")
        .distinct()[:RELATED_COUNT]
    )


def citation(page, request):
    organisations = [block.value["name"] for block in page.organisations]
    author = "; ".join(organisations) or settings.WAGTAIL_SITE_NAME
    year = (page.first_published_at or timezone.now()).year
    url = request.build_absolute_uri(page.url) if request else page.full_url
    return _(
        "%(author)s (%(year)s). %(title)s. KX South-South knowledge-exchange platform. %(url)s"
    ) % {
        "author": author,
        "year": year,
        "title": page.title,
        "url": url,
    }


def practice_context(page, request):
    language_names = dict(settings.LANGUAGES)
    translations = [
        {
            "code": p.locale.language_code,
            "name": language_names.get(p.locale.language_code),
            "url": p.url,
        }
        for p in GoodPracticePage.objects.live()
        .filter(translation_key=page.translation_key)
        .select_related("locale")
        .order_by("locale__language_code")
    ]
    return {
        "index_url": practice_index_url(page),
        "translations": translations,
        "related": related_practices(page),
        "citation": citation(page, request),
        "pillars": list(page.pillars.all()),
        "regions": list(page.regions.all()),
        "countries": sorted(page.countries.all(), key=lambda c: c.name),
        "partner_countries": sorted(page.partner_countries.all(), key=lambda c: c.name),
        "theme_list": list(page.themes.all()),
    }
