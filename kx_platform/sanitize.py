"""The one place user-written text becomes something the platform shows.

Every user-content path goes through this module: forum posts (Markdown, rendered with
`render_markdown`), expert biographies, exchange-request messages and notes, thread
titles (plain text, cleaned with `clean_text` and escaped by the templates).

Markdown is parsed with markdown-it-py (CommonMark, raw HTML disabled: typed tags show as
text), and its HTML then goes through nh3, the Python binding of the Rust sanitizer
ammonia, with an explicit allowlist. bleach, which the design first named, is
unmaintained (no further security releases); ammonia parses with html5ever, the parser
browsers' behaviour is specified by, so what it lets through is what a browser will see.
Both layers are kept: a bug in one of them alone does not open a hole.
"""

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# --- The allowlist -----------------------------------------------------------------------

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "blockquote",
        "bdi",
        "br",
        "code",
        "del",
        "em",
        "h2",
        "h3",
        "h4",
        "hr",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    "span": {"class"},
    "code": {"class"},
    "bdi": {"class", "dir"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
# Class names the renderer itself writes; any other class is dropped.
ALLOWED_CLASSES = {"span": {"mention"}, "bdi": {"mention"}, "code": {"language-"}}
DIRECTIONS = frozenset({"ltr", "rtl", "auto"})

# Text longer than this is never parsed: forms refuse it long before (posts: 20,000).
MAX_MARKDOWN_LENGTH = 100_000
# Deeper block nesting (quotes in quotes in lists…) is not parsed as structure.
MAX_NESTING = 20

# --- Characters no user text keeps ----------------------------------------------------
# Bidirectional embeddings, overrides and isolates (the "Trojan Source" characters) and
# the marks that only make a title look like another; zero-width spaces, the word joiner
# and the byte-order mark. ZWJ and ZWNJ (U+200D, U+200C) are kept: Persian, Urdu and
# emoji need them to spell words correctly.
INVISIBLE = dict.fromkeys(
    [
        *range(0x202A, 0x202F),  # LRE RLE PDF LRO RLO
        *range(0x2066, 0x206A),  # LRI RLI FSI PDI
        0x200E,  # LRM
        0x200F,  # RLM
        0x061C,  # ARABIC LETTER MARK
        0x200B,  # ZERO WIDTH SPACE
        0x2060,  # WORD JOINER
        0xFEFF,  # ZERO WIDTH NO-BREAK SPACE / BOM
        0x180E,  # MONGOLIAN VOWEL SEPARATOR
        0x00AD,  # SOFT HYPHEN
    ]
)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _is_unwanted(char, multiline):
    if char == "\n":
        return not multiline
    if char == "\t":
        return False
    category = unicodedata.category(char)
    # Cc: control characters; Cs: lone surrogates (never valid text); Co/Cn: private-use
    # and unassigned code points are kept (private-use glyphs, newer Unicode versions).
    return category in ("Cc", "Cs")


def clean_text(text, *, multiline=True):
    """User text as plain text: NFC-normalised, without tags, control, bidirectional
    override or zero-width characters, spaces collapsed. Templates still escape it.

    `multiline=False` (titles, topics) also turns line breaks into spaces.
    """
    if text is None:
        return ""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).translate(INVISIBLE)
    text = "".join(" " if c == "\n" and not multiline else c for c in text)
    text = "".join(c for c in text if not _is_unwanted(c, multiline))
    if "<" in text:
        text = strip_tags(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    if multiline:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


# --- Markdown --------------------------------------------------------------------------

MENTION_RE = re.compile(r"@([A-Za-z0-9_.+-]{1,150})")


def _mention_rule(state, silent):
    """`@username` (a Discourse-style mention): a <span class="mention">, never inside
    code, links or words (an e-mail address is not a mention)."""
    pos = state.pos
    if state.src[pos] != "@":
        return False
    if pos > 0 and (state.src[pos - 1].isalnum() or state.src[pos - 1] in "_.+-@"):
        return False
    match = MENTION_RE.match(state.src, pos)
    if not match:
        return False
    name = match.group(1).rstrip(".")
    if not name:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.content = name
    state.pos = pos + 1 + len(name)
    return True


def _render_mention(self, tokens, idx, options, env):
    """A left-to-right isolate: usernames are Latin, and without it an Arabic post shows
    "@omar_khatib" as "omar_khatib@". `dir` also keeps a post that opens with a mention
    out of the Latin direction: `dir="auto"` skips isolated descendants."""
    from django.utils.html import escape

    name = tokens[idx].content
    return f'<bdi class="mention" dir="ltr">@{escape(name)}</bdi>'


@lru_cache(maxsize=1)
def _parser():
    md = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": True, "typographer": False, "maxNesting": MAX_NESTING},
    )
    md.enable(["linkify", "table", "strikethrough"])
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.add_render_rule("mention", _render_mention)
    # linkify-it should only link what looks like a web address or e-mail (no fuzzy
    # "example.com" links to unexpected places is fine either way; nh3 checks schemes).
    return md


def mentioned_usernames(text):
    """The usernames `text` mentions, in order, without repeats (as the renderer sees
    them: a mention in code is not one)."""
    if not text or "@" not in text:
        return []
    names = []
    for token in _parser().parse(text[:MAX_MARKDOWN_LENGTH]):
        for child in token.children or []:
            if child.type == "mention" and child.content not in names:
                names.append(child.content)
    return names


def _media_prefixes():
    media = settings.MEDIA_URL or "/media/"
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    prefixes = [media] if media.startswith("/") and not media.startswith("//") else []
    if base:
        prefixes.append(base + (media if media.startswith("/") else "/" + media))
    if media.startswith(("http://", "https://")):
        prefixes.append(media)
    return tuple(prefixes)


def _is_platform_media(url):
    url = url.strip()
    if "\\" in url or any(ord(c) < 0x20 for c in url):
        return False
    parts = urlsplit(url)
    if ".." in parts.path.split("/"):
        return False
    return url.startswith(_media_prefixes())


def _attribute_filter(tag, attribute, value):
    if tag == "img" and attribute == "src":
        return value if _is_platform_media(value) else None
    if attribute == "class":
        allowed = ALLOWED_CLASSES.get(tag, set())
        kept = [
            c
            for c in value.split()
            if c in allowed or any(a.endswith("-") and c.startswith(a) for a in allowed)
        ]
        return " ".join(kept) or None
    if attribute in ("width", "height", "start"):
        return value if value.isdigit() and len(value) < 6 else None
    if attribute == "dir":
        return value if value in DIRECTIONS else None
    if attribute == "align":
        return value if value in ("left", "right", "center") else None
    return value


def sanitize_html(html):
    """HTML from any source through the allowlist (links get rel="nofollow ugc
    noopener"; images only from the platform's own media)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_attribute_filter,
    )


def render_markdown(text) -> SafeString:
    """Markdown written by a user as safe HTML for a template."""
    text = clean_markdown_source(text)
    if not text:
        return mark_safe("")
    html = _parser().render(text)
    return mark_safe(sanitize_html(html))  # noqa: S308 - the output of the allowlist


def clean_markdown_source(text):
    """Markdown source before parsing: the same characters clean_text removes, but
    tags are left for the parser to show as text and spacing is kept (code blocks)."""
    if not text:
        return ""
    text = str(text)[:MAX_MARKDOWN_LENGTH].replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).translate(INVISIBLE)
    return "".join(c for c in text if c in "\n\t" or not _is_unwanted(c, True)).strip("\n")


def count_links(text):
    """How many links the rendered text holds (new members may post only a few)."""
    return str(render_markdown(text)).count("<a ")


__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "LINK_REL",
    "URL_SCHEMES",
    "clean_markdown_source",
    "clean_text",
    "count_links",
    "mentioned_usernames",
    "render_markdown",
    "sanitize_html",
]
