"""What a practice page shows beyond its own fields."""

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kx_platform.formatting import collation_key, sorted_by_name
from practices.models import GoodPracticePage, PracticeTheme
from practices.queries import practices_for_display
from practices.reader import interface_language_name, reader_language

RELATED_COUNT = 3


def practice_index_url(page, language=None):
    """The practice list in the reader's language, where filter chips lead."""
    from practices.models import PracticeIndexPage

    indexes = PracticeIndexPage.objects.live()
    index = (
        indexes.filter(locale__language_code=language).first() if language else None
    ) or indexes.filter(locale=page.locale).first()
    return index.url if index else "/"


def related_practices(page, locale=None):
    """Published practices sharing a pillar, ranked by shared themes then recency.

    Ranked on ids only (a subquery counts shared themes), then the winners are loaded:
    sorting whole practice rows would carry every long text field through the sort.
    """
    # Read as objects, not values_list("pk"): in a preview the relations are modelcluster's
    # in-memory querysets, which know field names only.
    pillar_ids = [pillar.pk for pillar in page.pillars.all()]
    theme_ids = [theme.pk for theme in page.themes.all()]
    if not pillar_ids:
        return []
    sharing_a_pillar = GoodPracticePage.pillars.through.objects.filter(
        pillar_id__in=pillar_ids
    ).values("goodpracticepage_id")
    shared_themes = (
        PracticeTheme.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=theme_ids)
        .order_by()
        .values("content_object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    ids = list(
        practices_for_display(locale or page.locale)
        .exclude(translation_key=page.translation_key)
        .filter(pk__in=sharing_a_pillar)
        .annotate(shared_themes=Coalesce(Subquery(shared_themes), 0))
        .order_by("-shared_themes", "-first_published_at", "-pk")
        .values_list("pk", flat=True)[:RELATED_COUNT]
    )
    found = GoodPracticePage.objects.filter(pk__in=ids).select_related("locale")
    by_id = {p.pk: p for p in found.prefetch_related("pillars", "countries")}
    return [by_id[i] for i in ids if i in by_id]


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


def _direction(language):
    return "rtl" if translation.get_language_info(language)["bidi"] else "ltr"


def practice_context(page, request):
    """The practice in the reader's interface language: under /ar/, a practice with no
    Arabic version is shown in its own language (marked so) with the Arabic interface,
    its list, related practices and chips in Arabic (practices.reader)."""
    from wagtail.models import Locale

    reader = reader_language()
    content_language = page.locale.language_code
    reader_locale = Locale.objects.filter(language_code=reader).first() or page.locale
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
        "index_url": practice_index_url(page, reader),
        "translations": translations,
        "related": related_practices(page, reader_locale),
        "reader_language": reader,
        "content_language": content_language,
        "content_direction": _direction(content_language),
        "reader_direction": _direction(reader),
        "in_other_language": content_language != reader,
        "content_language_name": interface_language_name(content_language),
        "reader_language_name": interface_language_name(reader),
        # The page's own address (under its own language), for the canonical link.
        "canonical_url": page.get_full_url(request),
        "citation": citation(page, request),
        "pillars": list(page.pillars.all()),
        "regions": list(page.regions.all()),
        "countries": sorted_by_name(page.countries.all(), lambda c: c.name),
        "partner_countries": sorted_by_name(page.partner_countries.all(), lambda c: c.name),
        "theme_list": list(page.themes.all()),
        "contact_experts": contact_experts(page, request),
        "adapted_in": adapted_in(page),
    }


def adapted_in(page):
    """Where the practice (any of its translations) was adapted or replicated, from the
    South-South exchange records linked to it: recipient country, year and use only.
    Disputed records are left out, as in the public measurement."""
    from django.db.models.functions import ExtractYear

    from experts.models import ExchangeRecord, PracticeUse
    from experts.models.exchanges import COUNTED_STATUSES

    rows = (
        ExchangeRecord.objects.filter(
            practice__translation_key=page.translation_key,
            status__in=COUNTED_STATUSES,
        )
        .exclude(practice_use="")
        .annotate(year=ExtractYear("start_date"))
        .values_list("recipient_country__code", "year", "practice_use")
        .order_by()
        .distinct()
    )
    from kx_platform.models import Country

    uses = dict(PracticeUse.choices)
    found = [
        {"country": Country(code=code), "year": str(year), "use": uses.get(use, use)}
        for code, year, use in rows
    ]
    return sorted(found, key=lambda item: (collation_key(item["country"].name), item["year"]))


def contact_experts(page, request):
    """The practice's contact experts, each as much as this reader may see of them."""
    from experts.models import ProfileStatus
    from experts.privacy import visible_profile

    viewer = getattr(request, "user", None)
    profiles = (
        page.contact_experts.filter(status=ProfileStatus.APPROVED)
        .select_related("country", "institution")
        .prefetch_related("pillars", "regions", "theme_items__tag", "links", "languages")
    )
    return [visible_profile(profile, viewer) for profile in profiles]
