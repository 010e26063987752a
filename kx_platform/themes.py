"""Themes as people type them: one list syntax and one name match for every form.

Themes are django-taggit tags (`kx_platform.models.Theme`) typed as a list into a text
field: the Wagtail admin's tag widget (practices, institutions, expert profiles) and the
public expert application. Taggit's own parser splits only at the ASCII comma, and at
spaces when there is none, so an Arabic list "الشباب، التعليم" became the junk tags
"الشباب،" and "التعليم". `parse_tag_list` is installed as TAGGIT_TAGS_FROM_STRING, so
every taggit field of the site agrees:

- the list separators are the comma and the semicolon in their Latin, Arabic and
  full-width forms (, ، ， ; ؛ ；) and the ideographic comma (、);
- spaces never separate: themes are phrases ("Community policing"), and the help text
  asks for commas;
- double quotes group words, as in taggit, but do not protect a separator: the Wagtail
  widget wraps every tag it is given in quotes when it holds a space, so an Arabic list
  typed into it arrives as one quoted chunk, "\"الشباب، التعليم\"". A theme name can hold
  no separator (`Theme.clean` refuses one).

A typed name that is the name of an existing theme in any of its languages, whatever
its case, accents, hamza seat or short vowels, is that theme (`resolve_theme_names`),
not a new one: an Arabic editor typing "الشباب" tags the practice with "Youth".
"""

import re
import unicodedata

from django.http import JsonResponse
from django.utils.functional import lazy
from django.utils.translation import gettext
from taggit.forms import TagField as TaggitTagField
from wagtail.admin.auth import require_admin_access
from wagtail.admin.forms.tags import TagField as WagtailTagField

from kx_platform.formatting import collation_key

SEPARATORS = ",،，;؛；、"
_SEPARATOR_RE = re.compile(f"[{re.escape(SEPARATORS)}]")
# Direction marks and zero-width characters an RTL keyboard or a paste leaves around words.
_INVISIBLE_RE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# Arabic letters written in more than one way: alef wasla, alef maqsura, ta marbuta.
_ARABIC_VARIANTS = str.maketrans({"\u0671": "\u0627", "\u0649": "\u064a", "\u0629": "\u0647"})

AUTOCOMPLETE_LIMIT = 10  # as Wagtail's own tag autocomplete


def clean_name(text):
    """One typed name: invisible marks gone, runs of white space made one space."""
    return " ".join(_INVISIBLE_RE.sub("", text).split())


def parse_tag_list(tagstring):
    """TAGGIT_TAGS_FROM_STRING: the sorted unique names in a typed list (see above)."""
    if not tagstring:
        return []
    names = {}
    # Splitting at the quotes leaves what was outside quotes at even and inside at odd
    # indexes; an unclosed quote simply runs to the end.
    for chunk in str(tagstring).split('"'):
        for part in _SEPARATOR_RE.split(chunk):
            name = clean_name(part)
            if name:
                names.setdefault(name.casefold(), name)
    return sorted(names.values())


def edit_string_for_tags(tags):
    """TAGGIT_STRING_FROM_TAGS: the list to edit, each theme in the reader's language.

    Joined by ", " (the Wagtail widget splits its initial value at ASCII commas);
    names with a space are quoted as the widget quotes them. A theme shown by its
    translated name comes back to the same theme through `resolve_theme_names`.
    """
    names = []
    for tag in tags:
        name = getattr(tag, "display_name", None) or tag.name
        name = name.replace('"', "")
        names.append(f'"{name}"' if " " in name else name)
    return ", ".join(sorted(names, key=collation_key))


def fold_name(text):
    """A theme name as compared: case, accents, Arabic marks and letter variants ignored."""
    primary = collation_key(clean_name(str(text)), "en")[0]
    return unicodedata.normalize("NFC", primary).translate(_ARABIC_VARIANTS)


def theme_name_fields():
    from kx_platform.models import Theme

    return ["name"] + [
        field.name for field in Theme._meta.get_fields() if field.name.startswith("name_")
    ]


def theme_names():
    """(pk, canonical name, [every name it has]) of every theme, oldest first."""
    from kx_platform.models import Theme

    fields = theme_name_fields()
    for row in Theme.objects.order_by("pk").values_list("pk", *fields):
        pk, canonical, *translations = row
        yield pk, canonical, [canonical, *[n for n in translations if n]]


def resolve_theme_names(names):
    """The typed `names` with each one that names an existing theme in any language
    replaced by that theme's canonical name; sorted and unique, as taggit expects.

    A canonical name wins over a translation when both fold alike; among equals the
    oldest theme wins. Names matching no theme stay as typed (experts may add themes).
    """
    names = [clean_name(n) for n in names if clean_name(n)]
    if not names:
        return []
    canonical_by_fold = {}
    translated_by_fold = {}
    for _pk, canonical, all_names in theme_names():
        canonical_by_fold.setdefault(fold_name(canonical), canonical)
        for name in all_names[1:]:
            translated_by_fold.setdefault(fold_name(name), canonical)
    resolved = {}
    for name in names:
        key = fold_name(name)
        chosen = canonical_by_fold.get(key) or translated_by_fold.get(key) or name
        resolved.setdefault(fold_name(chosen), chosen)
    return sorted(resolved.values())


def autocomplete_themes(term, limit=AUTOCOMPLETE_LIMIT):
    """Themes one of whose names, in any language, starts with `term` or has a word that
    does, as folded by `fold_name`; whole-name matches first, then by the reader's name."""
    from kx_platform.models import Theme

    wanted = fold_name(term)
    if not wanted:
        return []
    ranked = []
    for pk, _canonical, all_names in theme_names():
        folded = [fold_name(n) for n in all_names]
        if any(f.startswith(wanted) for f in folded):
            ranked.append((0, pk))
        elif any(word.startswith(wanted) for f in folded for word in re.split(r"[\s'’-]+", f)):
            ranked.append((1, pk))
    themes = Theme.objects.in_bulk([pk for _rank, pk in ranked])
    ranked.sort(key=lambda item: (item[0], collation_key(themes[item[1]].display_name)))
    return [themes[pk] for _rank, pk in ranked[:limit]]


@require_admin_access
def theme_autocomplete(request):
    """The Wagtail tag widget's suggestions for themes, in place of Wagtail's own view
    (which matches the English name only): any language's name, answered in the editor's
    language (require_admin_access activates it). Admin users only, as Wagtail's."""
    term = clean_name(request.GET.get("term", ""))[:100]
    names = [theme.display_name for theme in autocomplete_themes(term)] if term else []
    return JsonResponse(names, safe=False)


def _theme_help_text():
    return gettext(
        "Separate themes with commas: “%(comma)s” or “%(arabic_comma)s”, e.g. %(example)s."
    ) % {
        "comma": ",",
        "arabic_comma": "،",
        "example": gettext("Youth, Counter-narratives"),
    }


# The separators are put in by the code, so every language's help text names both.
theme_help_text = lazy(_theme_help_text, str)


class ThemeNamesMixin:
    """A tag field whose names are resolved to existing themes (see the module)."""

    def resolves_themes(self):
        from kx_platform.models import Theme

        tag_model = getattr(self, "tag_model", Theme)
        return isinstance(tag_model, type) and issubclass(tag_model, Theme)

    def clean(self, value):
        names = super().clean(value)
        return resolve_theme_names(names) if self.resolves_themes() else names


class ThemeTagField(ThemeNamesMixin, TaggitTagField):
    """Themes typed on the public site (the expert application)."""


class AdminThemeTagField(WagtailTagField, ThemeTagField):
    """Wagtail's tag field (its widget, length check, free tagging) over names already
    resolved: its parent's parse comes through ThemeTagField, so a theme typed in Arabic
    passes a tag model that refuses new tags."""


def admin_tag_field_override(db_field):
    """Wagtail's form field for a TaggableManager, with themes resolved and explained;
    installed by kx_platform.apps over Wagtail's own (wagtail.admin.forms.models)."""
    from kx_platform.models import Theme

    tag_model = db_field.related_model
    if isinstance(tag_model, type) and issubclass(tag_model, Theme):
        return {
            "form_class": AdminThemeTagField,
            "tag_model": tag_model,
            "help_text": theme_help_text(),
        }
    return {"form_class": WagtailTagField, "tag_model": tag_model}
