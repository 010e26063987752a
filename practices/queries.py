"""Query building blocks shared by the practice list, the home page and the benchmarks."""

from django.db.models import Exists, OuterRef, Q, Subquery
from wagtail.models import Locale, PageViewRestriction

from practices.models import GoodPracticePage


def public_practices():
    """Published practices that no view restriction (private page) hides.

    Wagtail's `.public()` reads the restrictions each time it is called; here they are
    read once and the same condition is reused in every subquery.
    """
    restricted = Q()
    for restriction in PageViewRestriction.objects.select_related("page"):
        restricted |= Q(path__startswith=restriction.page.path)
    qs = GoodPracticePage.objects.live()
    return qs.exclude(restricted) if restricted else qs


def practices_for_display(locale=None, base=None):
    """One row per practice: its version in `locale` if published, else its original.

    A practice and its translations share a translation_key; lists show each practice
    once, in the reader's language when a translation exists.
    """
    locale = locale or Locale.get_active()
    base = base if base is not None else public_practices()
    same_practice = base.filter(translation_key=OuterRef("translation_key"))
    in_reader_language = same_practice.filter(locale=locale)
    original = same_practice.order_by("pk").values("pk")[:1]
    return base.filter(Q(locale=locale) | (~Exists(in_reader_language) & Q(pk=Subquery(original))))


def available_in(language_code, base):
    """Condition: a published version of the practice exists in that language."""
    return Exists(
        base.filter(
            translation_key=OuterRef("translation_key"), locale__language_code=language_code
        )
    )


def languages_by_practice(pages, base):
    """{translation_key: [language codes with a published version]} for the given pages."""
    rows = base.filter(translation_key__in={p.translation_key for p in pages}).values_list(
        "translation_key", "locale__language_code"
    )
    result = {}
    for key, code in rows:
        result.setdefault(key, []).append(code)
    return result
