"""Mixed-direction text: keeping user-written and Latin fragments whole on Arabic pages.

The Unicode bidirectional algorithm orders a run of text by its strongest neighbours, so
a fragment of one direction inside a paragraph of the other is reordered with its
surroundings: "@omar_khatib" in an Arabic post shows as "omar_khatib@", a pillar chip
"IV. Name" shows as ".IV Name", and "(12)" after a Latin facet label lands on the Latin
side. Isolating the fragment (`<bdi>`, `dir`, or CSS `unicode-bidi: isolate`) makes it one
neutral unit of the surrounding text, laid out in its own direction.

The template filters that use these helpers are in `kx_platform.templatetags.bidi_tags`.
"""

import re

from django import forms
from django.forms.widgets import DateTimeBaseInput
from django.utils.functional import keep_lazy
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

# "IV. Name": the Roman numeral of a pillar (kx_platform.models.Pillar.__str__, the facet
# vocabulary) before its name.
NUMBERED_LABEL = re.compile(r"^(?P<numeral>[IVX]{1,4}\.)\s+(?P<name>\S.*)$", re.DOTALL)


def isolate(value) -> SafeString:
    """`value` (escaped) in a `<bdi>`: laid out in its own direction, as one unit of the
    text around it. Empty values give an empty string, never an empty element."""
    if value is None or value == "":
        return SafeString("")
    return format_html("<bdi>{}</bdi>", value)


def numbered_label(value) -> SafeString:
    """A pillar (or a "IV. Name" label) with its numeral isolated, so Arabic pages read
    "IV." before the name rather than ".IV". Any other label is only escaped: it is
    one text of one direction, and the element holding it isolates it where needed."""
    roman = getattr(value, "roman", None)
    short_name = getattr(value, "short_name", None)
    if roman is not None and short_name is not None:
        numeral, name = f"{roman}.", short_name
    else:
        text = "" if value is None else str(value)
        match = NUMBERED_LABEL.match(text)
        if not match:
            return conditional_escape(text)
        numeral, name = match["numeral"], match["name"]
    return format_html('<bdi class="numeral" dir="ltr">{}</bdi> <bdi>{}</bdi>', numeral, name)


# Markdown a help text shows as an example: "@username", `code`, [link](https://…).
SYNTAX_EXAMPLE = re.compile(r"@\w+|`[^`]+`|\[[^\]]+\]\([^)\s]+\)")


@keep_lazy(SafeString)
def isolate_syntax_examples(text) -> SafeString:
    """A (translated) help text, escaped, with each Markdown example in a left-to-right
    isolate: typed syntax reads left to right in every language, and an Arabic help text
    would otherwise show "@username" as "username@"."""
    text = str(text)
    parts, last = [], 0
    for match in SYNTAX_EXAMPLE.finditer(text):
        parts.append(conditional_escape(text[last : match.start()]))
        parts.append(format_html('<bdi dir="ltr">{}</bdi>', match.group()))
        last = match.end()
    parts.append(conditional_escape(text[last:]))
    return SafeString("".join(parts))


# Widgets whose text a person types: their direction follows what is typed (an English
# title typed on an Arabic page starts at the left). Addresses are always left to right.
_TYPED_TEXT = (forms.TextInput, forms.Textarea)
_LEFT_TO_RIGHT = (forms.EmailInput, forms.URLInput)


def set_text_direction(form):
    """Give every free-text input of `form` `dir="auto"` (e-mail and web addresses
    `dir="ltr"`), unless the form set a direction itself. Returns the form."""
    for field in form.fields.values():
        widget = field.widget
        if "dir" in widget.attrs or isinstance(widget, DateTimeBaseInput):
            continue
        if isinstance(widget, _LEFT_TO_RIGHT):
            widget.attrs["dir"] = "ltr"
        elif isinstance(widget, _TYPED_TEXT):
            widget.attrs["dir"] = "auto"
    return form
