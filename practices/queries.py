"""Query building blocks shared by the practice list, the home page and the benchmarks."""

from django.db.models import Exists, OuterRef, Q
from wagtail.models import Locale, Page, PageViewRestriction

from practices.models import GoodPracticePage


def restricted_condition():
    """Pages under a view restriction (private pages), read once per call."""
    restricted = Q()
    for restriction in PageViewRestriction.objects.select_related("page"):
        restricted |= Q(path__startswith=restriction.page.path)
    return restricted


def public_practices(restricted=None):
    """Published practices that no view restriction (private page) hides.

    Wagtail's `.public()` reads the restrictions each time it is called; here they are
    read once (or passed in) and the same condition is reused in every subquery.
    """
    if restricted is None:
        restricted = restricted_condition()
    return _visible(GoodPracticePage.objects.live(), restricted)


def _visible(qs, restricted):
    return qs.exclude(restricted) if restricted else qs


def _public_pages(restricted):
    """Live, visible pages on the narrow page table, for subqueries that only compare
    translation keys (a translation key never spans page types, so no type filter:
    it would also steer SQLite away from the translation-key index)."""
    return _visible(Page.objects.filter(live=True), restricted)


def practices_for_display(locale=None, base=None, restricted=None):
    """One row per practice: its version in `locale` if published, else its original.

    A practice and its translations share a translation_key; lists show each practice
    once, in the reader's language when a translation exists. The original is the
    version created first (lowest id).
    """
    locale = locale or Locale.get_active()
    if restricted is None:
        restricted = restricted_condition()
    if base is None:
        base = public_practices(restricted)
    same_practice = _public_pages(restricted).filter(translation_key=OuterRef("translation_key"))
    in_reader_language = same_practice.filter(locale=locale)
    older_version = same_practice.filter(pk__lt=OuterRef("pk"))
    return base.filter(Q(locale=locale) | (~Exists(in_reader_language) & ~Exists(older_version)))


def available_in(language_code, restricted):
    """Condition: a published version of the practice exists in that language."""
    return Exists(
        _public_pages(restricted).filter(
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
