"""Names, figures and dates in the reader's conventions: the one place for them.

- Sorting names (countries above all) the way a reader of the active language expects:
  "Égypte" with the E's in French, Arabic names by their letters whatever their hamza or
  vowel marks, "ñ" after "n" in Spanish. Python sorts by code point (É after Z, and Arabic
  country names not at all under django-countries without pyuca), so names are sorted by
  `collation_key`, a small tailoring of the Unicode default order.
- Money, dates, currency and language names from Babel's CLDR data, with Latin digits (the
  digits the rest of the site uses in every language).
- The empty choice of a select, in the reader's language (Django's "---------" is not
  translated, and its "- Select an option -" only in some catalogues).

Templates reach these through the `kx_format` tag library (kx_platform/templatetags).
"""

import datetime
import unicodedata
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The label of a select's empty choice on every form (installed as Django's
# BLANK_CHOICE_LABEL by kx_platform.apps, so model and form fields use it too).
EMPTY_CHOICE_LABEL = _("- Select an option -")

# Letters a language sorts as letters of their own, after their base letter.
_TAILORED_LETTERS = {
    "es": {"ñ": "n\uffff"},
}
_IGNORED = {"\u0640"}  # Arabic tatweel: a stretch of the line, not a letter


def active_language(language=None):
    return (language or get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def babel_locale(language=None):
    """Babel's locale for a language code (the active language by default)."""
    try:
        return Locale.parse(active_language(language))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


# --- sorting ---------------------------------------------------------------------------
def collation_key(text, language=None):
    """A sort key for `text` as a reader of `language` orders names.

    Case, accents and Arabic marks (hamza seat, madda, short vowels) are ignored at first,
    then break ties, so "Égypte" sorts with "Egypte" and "أنغولا" with "انغولا".
    """
    text = str(text)
    folded = text.casefold()
    for letter, replacement in _TAILORED_LETTERS.get(active_language(language), {}).items():
        folded = folded.replace(letter, replacement)
    primary = "".join(
        c
        for c in unicodedata.normalize("NFKD", folded)
        if not unicodedata.combining(c) and c not in _IGNORED
    )
    return (primary, folded, text)


def sorted_by_name(items, name=str, language=None):
    """`items` sorted by their localised `name(item)`."""
    return sorted(items, key=lambda item: collation_key(name(item), language))


def sorted_choices(choices, language=None):
    """(value, label) choices by label, any empty choice kept first."""
    choices = list(choices)
    empty = [c for c in choices if c[0] in ("", None)]
    rest = [c for c in choices if c[0] not in ("", None)]
    return empty + sorted(rest, key=lambda c: collation_key(c[1], language))


def country_choices(empty=True):
    """Every country as (ISO code, name in the active language), sorted by that name."""
    from django_countries import countries

    choices = sorted_choices((code, str(name)) for code, name in countries)
    return ([("", EMPTY_CHOICE_LABEL)] if empty else []) + choices


def sort_country_field(field):
    """Show a select of countries in the order of their localised names (a chooser
    widget, such as the admin's snippet chooser, is left alone)."""
    from django import forms

    if isinstance(field.widget, forms.widgets.ChoiceWidget):
        field.widget.choices = sorted_choices((value, str(label)) for value, label in field.choices)


# --- figures and dates -----------------------------------------------------------------
def format_money(value, currency, language=None):
    """12500.5 EUR → "€12,500.50" (en), "12 500,50 €" (fr), "12.500,50 €" (es)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not currency:
        return babel_numbers.format_decimal(amount, locale=babel_locale(language))
    return babel_numbers.format_currency(amount, currency, locale=babel_locale(language))


def format_number(value, language=None):
    if value is None or value == "":
        return ""
    return babel_numbers.format_decimal(value, locale=babel_locale(language))


def format_date(value, size="long", language=None):
    """A date as the reader writes it: "1 March 2024" / "1 mars 2024" / "1 مارس 2024"."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return babel_dates.format_date(value, format=size, locale=babel_locale(language))


def format_date_range(start, end, language=None):
    """Two dates as one range: "Mar 1 – 10, 2024" / "1–10 mars 2024"."""
    if not start or not end:
        return format_date(start or end, "medium", language)
    if start == end:
        return format_date(start, "medium", language)
    return babel_dates.format_interval(start, end, "yMMMd", locale=babel_locale(language))


# --- names -----------------------------------------------------------------------------
def currency_name(code, language=None):
    """The name of an ISO 4217 currency in the reader's language ("franc CFA (BCEAO)")."""
    if not code:
        return ""
    return babel_numbers.get_currency_name(code, locale=babel_locale(language))


def language_name(code, language=None):
    """The name of a language in the reader's language: "ar" → "Arabic" / "arabe"."""
    if not code:
        return ""
    locale = babel_locale(language)
    name = locale.languages.get(code) or locale.languages.get(code.split("-")[0].lower())
    if name:
        return name
    return dict(settings.LANGUAGES).get(code, code)
