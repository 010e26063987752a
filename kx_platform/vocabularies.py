"""The values each facet accepts and their labels in the active language.

Shared by the practice list (database facets) and the search service (index facets),
so a URL parameter means the same thing everywhere.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_names

from kx_platform.models import Pillar, Region, Theme


def pillars():
    return {str(p.number): f"{p.roman}. {p.short_name}" for p in Pillar.objects.all()}


def regions():
    return {r.slug: r.name for r in Region.objects.all()}


def countries():
    """By name in the active language (kx_platform.formatting sorts as its readers do)."""
    from kx_platform.formatting import sorted_choices

    return dict(sorted_choices((code, str(name)) for code, name in country_names))


def themes():
    return {t.slug: t.display_name for t in Theme.objects.all()}


def languages():
    return dict(settings.WAGTAIL_CONTENT_LANGUAGES)


def evidence_stages():
    from practices.choices import EvidenceStage

    return dict(EvidenceStage.choices)


def scales():
    from practices.choices import Scale

    return dict(Scale.choices)


def content_types():
    return {
        "practice": _("Good practices"),
        "expert": _("Experts"),
        "discussion": _("Forum discussions"),
    }


def support_kinds():
    from experts.models import SupportOffer

    return dict(SupportOffer.choices)


def availabilities():
    from experts.models import Availability

    return dict(Availability.choices)


def focal_points():
    return {"yes": _("Focal points only")}


def institutions():
    """Published centres of excellence, by slug (unpublished ones are never offered)."""
    from experts.models import Institution

    return dict(Institution.objects.filter(is_published=True).values_list("slug", "name"))


FACETS = {
    # URL parameter: (label, vocabulary)
    "type": (_("Content type"), content_types),
    "pillar": (_("Pillar"), pillars),
    "region": (_("Region"), regions),
    "country": (_("Country"), countries),
    "theme": (_("Theme"), themes),
    "lang": (_("Language"), languages),
    "stage": (_("Evidence stage"), evidence_stages),
    "scale": (_("Scale of cooperation"), scales),
    # The expert roster's own facets.
    "support": (_("Kind of support"), support_kinds),
    "availability": (_("Availability"), availabilities),
    "focal": (_("Focal point"), focal_points),
    "institution": (_("Institution"), institutions),
}
