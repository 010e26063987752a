"""Text analysis for the embedded search backend.

SQLite FTS5 has no language analysis, and its ``unicode61`` tokenizer treats Arabic harakat as
separators (it breaks a vocalised word such as وَالإِرْهَابِ at every diacritic). So the text is
analysed here, in Python, the way Elasticsearch's built-in language analyzers do it, and FTS5 is
only ever given already-analysed tokens: index ``" ".join(analyze(text, language))`` and query
with the tokens of ``analyze(query, language)``. Every token holds only letters, digits and
combining marks (never whitespace, punctuation, apostrophes or an FTS5 operator character such
as ``" * ( ) : ^ + -``). FTS5's ``ascii`` tokenizer reads the joined stream back exactly token
for token, whatever the script, and is the one to use; ``unicode61`` does too for Arabic and
Latin text, but still splits words at the vowel signs of scripts such as Devanagari.

Besides the functions below, the module exposes ``STOPWORDS`` (the normalised stop-word set of
each language), ``arabic_stem`` (the Arabic light stemmer on one normalised word) and
``MAX_TOKEN_LENGTH``.

Public API
==========
``LANGUAGES``
    The languages with a dedicated analyzer: ``("ar", "en", "fr", "es")``.
``analyze(text, language)``
    The tokens to index or to query with. A language that is not in ``LANGUAGES`` (or
    ``None``) gets the language-neutral ``analyze_standard``. Region subtags are ignored
    (``"fr-CA"`` and ``"es_MX"`` are French and Spanish). Never raises for a ``str``.
``analyze_standard(text)``
    The fallback: NFKC, lowercase, Unicode word split, and the Arabic normalisation, so that
    Arabic in a document of another language can still be matched. No stop words, no stemming,
    accents are kept (like Elasticsearch's ``standard`` analyzer).
``detect_script_language(text)``
    ``"ar"`` when most letters of the text are Arabic-script letters, else ``None``; a cheap
    guess to choose the analyzer of a mixed-script query.
``highlight_terms(text, language, query_tokens)``
    ``(start, end)`` character spans of the ORIGINAL text whose word analyses to one of the
    query tokens: a query for الإرهاب marks the whole of وَالإِرْهَابِ, diacritics and prefix
    included; a query for extrémisme marks the whole of ``l'extrémisme``.
``make_snippet(text, language, query_tokens, max_chars=240, mark=("<mark>", "</mark>"))``
    An HTML-safe snippet: the window of at most ``max_chars`` characters of the text holding
    the most matches, escaped, with the matches wrapped in ``mark`` and "…" at cut ends.

The analysis chain
==================
Every language first gets the same character normalisation, applied to the whole text:

* Unicode NFKC (full-width forms, ligatures, Arabic presentation forms to plain letters);
* lowercasing;
* every Unicode decimal digit to ASCII ``0-9`` (Arabic-Indic ``٠-٩``, Persian ``۰-۹``, ...),
  as Elasticsearch's ``decimal_digit`` filter does;
* the Arabic normalisation of Lucene's ``ArabicNormalizer``: harakat (U+064B-U+065F) and
  tatweel (U+0640) removed; أ إ آ to ا; ى to ي; ة to ه. As extensions, the superscript alef
  (U+0670) and the other Arabic combining marks (Quranic annotation signs) are removed too,
  alef wasla ٱ becomes ا, and the Persian keyboard's ی and ک become ي and ك;
* invisible format characters (soft hyphen, zero-width joiners, bidi marks, BOM) removed, so
  they do not split a word; ``_`` separates words.

Then the text is split into words: runs of letters, digits and combining marks, joined by
internal apostrophes (``'``, ``’``, ``‘``, ``ʼ``); words longer than 64 characters are dropped.
Per language:

``ar`` (Elasticsearch ``arabic``: lowercase, decimal_digit, arabic_stop,
arabic_normalization, arabic_stem)
    Lucene's Arabic stop words, then Lucene's ``ArabicStemmer``: at most one prefix of
    ال وال بال كال فال لل و (first match in that order; ``و`` only if the word has at least
    4 letters, the others only if at least 2 letters remain), then one pass over the
    suffixes ها ان ات ون ين يه ية ه ة ي, each removed when at least 2 letters remain.
    Lucene removes the stop words before normalising (its list carries both أ and ا forms);
    here the list is normalised and applied after normalisation, which also removes
    vocalised stop words such as فِي.
``en`` (Elasticsearch ``english``: english_possessive_stemmer, lowercase, stop, porter)
    Possessive ``'s`` removed, Lucene's ``_english_`` stop words, Snowball English stemmer
    (Porter2; Elasticsearch uses the original Porter stemmer, the two agree on plurals).
``fr`` (Elasticsearch ``french``: elision, lowercase, stop, light_french)
    Elision of l' m' t' qu' n' s' j' d' c' jusqu' quoiqu' lorsqu' puisqu' (Elasticsearch's
    article list), Lucene's ``_french_`` (Snowball) stop words, Snowball French stemmer.
``es`` (Elasticsearch ``spanish``: lowercase, stop, light_spanish)
    Lucene's ``_spanish_`` (Snowball) stop words, Snowball Spanish stemmer.

For ``en``, ``fr`` and ``es`` the stems are then folded to ASCII where the letter is a Latin
letter with a diacritic (``extrém`` to ``extrem``, ``œ`` to ``oe``). Elasticsearch's analyzers
do not fold; we do, after stemming (the Snowball rules need the accents), because people
search without accents: "extremisme", "politica" and "Cote d'Ivoire" find "extrémisme",
"política" and "Côte d'Ivoire". Snowball French and Spanish stand in for Elasticsearch's
``light_french`` and ``light_spanish``: they remove more suffixes (more variants found, at some
cost in precision).
In every language, what is left of a word after elision or possessive removal is split at its
remaining apostrophes (``aujourd'hui`` gives ``aujourd`` and ``hui``), so no token ever holds
an apostrophe; documents and queries are split the same way.

Speed (about 7,000 to 10,000 paragraphs of 150 words a second on one core): tables and
regexes are built once at import (about 30 ms); per text, NFKC and lowercasing are C calls,
the character table is applied only to the runs of characters it changes (found with one
precompiled regex; ``str.translate`` over a whole non-ASCII text is far slower), the word split
is one precompiled regex, stop words a set lookup, Snowball stemming one ``stemWords`` call
(PyStemmer caches stems) and Arabic stems an LRU cache. PyStemmer objects are not thread-safe,
so each thread gets its own.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import chain
from pathlib import Path

import Stemmer
from django.utils.safestring import SafeString, mark_safe

__all__ = [
    "LANGUAGES",
    "MAX_TOKEN_LENGTH",
    "STOPWORDS",
    "analyze",
    "analyze_standard",
    "arabic_stem",
    "detect_script_language",
    "highlight_terms",
    "make_snippet",
]

LANGUAGES = ("ar", "en", "fr", "es")

#: Words longer than this (after normalisation) are dropped, not indexed.
MAX_TOKEN_LENGTH = 64

_STOPWORD_DIR = Path(__file__).resolve().parent / "stopwords"

# --------------------------------------------------------------------------------------------
# Character tables, built once at import time from the Unicode database.
# --------------------------------------------------------------------------------------------

_APOSTROPHE = "'"
# Apostrophe look-alikes, all read as "'". U+02BC is a letter for the regex engine, so it must
# be mapped before the split or it would be kept inside words.
_APOSTROPHES = "'\u2019\u2018\u02bc\uff07"

# Invisible format characters removed from inside words (Unicode word breaking ignores them).
_INVISIBLE = (
    "\u00ad"  # soft hyphen
    "\u061c"  # Arabic letter mark
    "\u200c\u200d"  # zero-width non-joiner, joiner
    "\u200e\u200f"  # left-to-right, right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2060"  # word joiner
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\ufeff"  # zero-width no-break space (BOM)
)

_TATWEEL = "\u0640"
_ARABIC_BLOCKS = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x0870, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
_ARABIC_LETTER_MAP = {
    "\u0622": "\u0627",  # آ alef with madda above -> ا
    "\u0623": "\u0627",  # أ alef with hamza above -> ا
    "\u0625": "\u0627",  # إ alef with hamza below -> ا
    "\u0671": "\u0627",  # ٱ alef wasla -> ا
    "\u0649": "\u064a",  # ى alef maksura -> ي
    "\u0629": "\u0647",  # ة teh marbuta -> ه
    "\u06cc": "\u064a",  # ی Farsi yeh -> ي
    "\u06a9": "\u0643",  # ک keheh -> ك
}


def _in_arabic_block(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _ARABIC_BLOCKS)


def _char_class(codepoints: Iterable[int]) -> str:
    """A regex character-class body (without brackets) for a sorted set of code points."""
    parts: list[str] = []
    run_start = run_end = None
    for cp in codepoints:
        if run_end is not None and cp == run_end + 1:
            run_end = cp
            continue
        if run_start is not None:
            parts.append(_class_range(run_start, run_end))
        run_start = run_end = cp
    if run_start is not None:
        parts.append(_class_range(run_start, run_end))
    return "".join(parts)


def _class_range(lo: int, hi: int) -> str:
    if lo == hi:
        return re.escape(chr(lo))
    return f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"


def _build_tables() -> tuple[
    dict[int, str | None], dict[str, str], list[int], list[int], list[int]
]:
    """Scan the Unicode database once.

    Returns the analysis translation table, the ASCII-folding map, the combining marks kept
    inside words, the characters the analysis removes from inside words (Arabic marks,
    tatweel, invisible format characters), and the symbols that NFKC turns into letters or
    digits (™, ⒜, ⽑, 🄰, ...).
    """
    table: dict[int, str | None] = {}
    marks: list[int] = []
    removed: set[int] = {ord(c) for c in _INVISIBLE} | {ord(_TATWEEL)}
    compat: list[int] = []
    word_char = re.compile(r"\w").search
    for cp in [*range(0x20000), *range(0xE0100, 0xE01F0)]:
        ch = chr(cp)
        category = unicodedata.category(ch)
        if category in ("Mn", "Mc", "Me"):
            if category == "Mn" and _in_arabic_block(cp):
                removed.add(cp)  # harakat, superscript alef, Quranic annotation signs
            else:
                marks.append(cp)
        elif category == "Nd" and cp > 0x7F:
            table[cp] = str(unicodedata.decimal(ch))
        elif category[0] in "PSZ" and ch != "_" and word_char(unicodedata.normalize("NFKC", ch)):
            compat.append(cp)
    for cp in removed:
        table[cp] = None
    for src, dst in _ARABIC_LETTER_MAP.items():
        table[ord(src)] = dst
    for ch in _APOSTROPHES:
        if ch != _APOSTROPHE:
            table[ord(ch)] = _APOSTROPHE
    table[ord("_")] = " "

    fold: dict[str, str] = {}
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        decomposed = unicodedata.normalize("NFD", chr(cp))
        base = decomposed[0]
        if len(decomposed) > 1 and base.isascii() and base.isalpha():
            if all(unicodedata.combining(c) for c in decomposed[1:]):
                fold[chr(cp)] = base
    fold.update(
        {
            "æ": "ae",
            "Æ": "AE",
            "œ": "oe",
            "Œ": "OE",
            "ß": "ss",
            "ø": "o",
            "Ø": "O",
            "đ": "d",
            "Đ": "D",
            "ł": "l",
            "Ł": "L",
            "ı": "i",
            "ð": "d",
            "þ": "th",
        }
    )
    return table, fold, marks, sorted(removed), compat


_CHAR_TABLE, _FOLD_MAP, _mark_list, _removed_list, _compat_list = _build_tables()

# Python's regex engine tests a character class of Basic Multilingual Plane characters in one
# step but goes through the ranges above U+FFFF one by one, so classes are split: the usual
# regexes only know BMP marks, and the few texts holding a character above U+FFFF (an emoji,
# a historic script) are split with the complete, slower, regexes.
_MARKS_BMP = _char_class(cp for cp in _mark_list if cp <= 0xFFFF)
_MARKS_ALL = _char_class(_mark_list)
_REMOVED = _char_class(_removed_list)
_COMPAT_BMP = _char_class(cp for cp in _compat_list if cp <= 0xFFFF)
_COMPAT_ALL = _char_class(_compat_list)
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")

# Runs of characters the character table changes (plane 1 as a whole: its few decimal digits
# would otherwise cost a range test per character); the table is applied to those runs only,
# which is much faster than str.translate over the whole text.
_TRANSLATE_RE = re.compile(
    "[" + _char_class(cp for cp in sorted(_CHAR_TABLE) if cp <= 0xFFFF) + "\U00010000-\U0001ffff]+"
)
_FOLD_RE = re.compile("[" + _char_class(sorted(ord(c) for c in _FOLD_MAP)) + "]")

# Position-preserving (one character to one character) mapping used for highlighting: only
# what changes word boundaries (underscore, apostrophe look-alikes) is mapped.
_SAME_LENGTH_MAP = {"_": " ", **{c: _APOSTROPHE for c in _APOSTROPHES}}
_SAME_LENGTH_RE = re.compile("[" + re.escape("".join(_SAME_LENGTH_MAP)) + "]")


def _token_regex(extra: str, start: str = "") -> re.Pattern[str]:
    # A word starts with a letter or digit (or a ``start`` character) and goes on with letters,
    # digits and the ``extra`` characters (combining marks); words joined by an internal
    # apostrophe stay together.
    word = rf"[\w{start}][\w{extra}{start}]*"
    return re.compile(rf"{word}(?:'{word})*")


# On normalised text (underscores already spaces, apostrophes already "'").
_TOKEN_RE = _token_regex(_MARKS_BMP)
_TOKEN_RE_ASTRAL = _token_regex(_MARKS_ALL)
# On original text, where the characters the normalisation removes are still there, and the
# symbols it turns into letters too: a word of the original text is then exactly what the
# analysis reads as one (or, for symbols such as ⒜, several) words.
_RAW_TOKEN_RE = _token_regex(_MARKS_BMP + _REMOVED, _COMPAT_BMP)
_RAW_TOKEN_RE_ASTRAL = _token_regex(_MARKS_ALL + _REMOVED, _COMPAT_ALL)

_ARABIC_LETTER_RE = re.compile(
    "[\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef"
    "\u06fa-\u06ff\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdff\ufe70-\ufefc]"
)
_LETTER_RE = re.compile(r"[^\W\d_]")
_WHITESPACE_RUN_RE = re.compile(r"\s+")
_WHITESPACE_RE = re.compile(r"\s")
_LAST_WHITESPACE_RE = re.compile(r"\s(?=\S*\Z)")


def _translate_run(match: re.Match[str]) -> str:
    return match.group().translate(_CHAR_TABLE)


def _same_length_char(match: re.Match[str]) -> str:
    return _SAME_LENGTH_MAP[match.group()]


def _fold_char(match: re.Match[str]) -> str:
    return _FOLD_MAP[match.group()]


def _tokens(norm: str) -> list[str]:
    """Split normalised text into words."""
    if norm.isascii() or not _ASTRAL_RE.search(norm):
        return _TOKEN_RE.findall(norm)
    return _TOKEN_RE_ASTRAL.findall(norm)


def _normalize(text: str) -> str:
    """NFKC, lowercase, then the character table (digits, Arabic, invisibles, apostrophes)."""
    if text.isascii():
        text = text.lower()
        return text.replace("_", " ") if "_" in text else text
    return _TRANSLATE_RE.sub(_translate_run, unicodedata.normalize("NFKC", text).lower())


# --------------------------------------------------------------------------------------------
# Stop words
# --------------------------------------------------------------------------------------------


def _load_stopwords(language: str) -> frozenset[str]:
    """Read ``stopwords/<language>.txt``: one word a line, ``#`` or ``|`` starts a comment.

    The words go through the same normalisation as the text, so they are compared with tokens
    in their normalised form.
    """
    words = set()
    path = _STOPWORD_DIR / f"{language}.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("|", 1)[0].split("#", 1)[0].strip()
        if line:
            words.update(_tokens(_normalize(line)))
    return frozenset(words)


#: The stop words of each language in ``LANGUAGES``, normalised.
STOPWORDS: dict[str, frozenset[str]] = {lang: _load_stopwords(lang) for lang in LANGUAGES}

_FRENCH_ELISIONS = frozenset(
    ("l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu")
)

# --------------------------------------------------------------------------------------------
# Stemmers
# --------------------------------------------------------------------------------------------

_AR_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


@lru_cache(maxsize=100_000)
def arabic_stem(word: str) -> str:
    """Lucene's ``ArabicStemmer`` (Larkey's light stemmer) on a normalised word.

    At most one prefix is removed, the first of ``_AR_PREFIXES`` that matches: the
    one-letter و only from words of at least 4 letters, the others only when at least 2
    letters remain. Then each suffix of ``_AR_SUFFIXES`` in turn (one pass, in order) is
    removed when at least 2 letters remain. Words without these affixes (Latin words,
    numbers) come back unchanged.
    """
    n = len(word)
    for prefix in _AR_PREFIXES:
        p = len(prefix)
        if (n >= 4 if p == 1 else n >= p + 2) and word.startswith(prefix):
            word = word[p:]
            n -= p
            break
    for suffix in _AR_SUFFIXES:
        s = len(suffix)
        if n >= s + 2 and word.endswith(suffix):
            word = word[:-s]
            n -= s
    return word


_SNOWBALL_NAMES = {"en": "english", "fr": "french", "es": "spanish"}
_local = threading.local()


def _snowball(language: str) -> Stemmer.Stemmer:
    """This thread's Snowball stemmer for ``language`` (PyStemmer objects are not thread-safe)."""
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    stemmer = stemmers.get(language)
    if stemmer is None:
        stemmer = stemmers[language] = Stemmer.Stemmer(_SNOWBALL_NAMES[language], 50_000)
    return stemmer


# --------------------------------------------------------------------------------------------
# Analyzers
# --------------------------------------------------------------------------------------------


def _split_apostrophes(
    tokens: list[str], elisions: frozenset[str] | None = None, possessive: bool = False
) -> list[str]:
    """Elision (French) or possessive removal (English), then split at the apostrophes left.
    Only the few words with an apostrophe are visited one by one."""
    marked = [i for i, token in enumerate(tokens) if _APOSTROPHE in token]
    if not marked:
        return tokens
    out: list[str] = []
    start = 0
    for i in marked:
        out.extend(tokens[start:i])
        token = tokens[i]
        if possessive and token.endswith("'s"):
            token = token[:-2]
        if elisions is not None:
            head, _, tail = token.partition(_APOSTROPHE)
            if head in elisions:
                token = tail
        out.extend(token.split(_APOSTROPHE))
        start = i + 1
    out.extend(tokens[start:])
    return out


def _words(text: str) -> tuple[str, list[str]]:
    norm = _normalize(text)
    return norm, _tokens(norm)


def _analyze_standard(text: str) -> list[str]:
    norm, tokens = _words(text)
    if _APOSTROPHE in norm:
        tokens = _split_apostrophes(tokens)
    return [t for t in tokens if len(t) <= MAX_TOKEN_LENGTH]


_CACHE_LIMIT = 200_000  # words remembered per analyzer (a rebuild sees the same words often)


class _WordAnalyzer:
    """A language analyzer: text to words (normalisation, split, apostrophes), then each
    word to its tokens through a memo of `analyse_word` (indexing sees the same words over
    and over). `tagged()` gives the tokens as one string, each with a prefix, for FTS5."""

    def __init__(self, name, analyse_word, elisions=None, possessive=False):
        self.__name__ = name
        self.analyse_word = analyse_word
        self.elisions, self.possessive = elisions, possessive
        self.cache: dict[str, tuple[str, ...]] = {}
        self.tagged_cache: dict[str, dict[str, str]] = {}

    def words(self, text: str) -> list[str]:
        norm, tokens = _words(text)
        if _APOSTROPHE in norm:
            tokens = _split_apostrophes(tokens, self.elisions, self.possessive)
        return tokens

    def _remember(self, words: list[str]) -> None:
        if len(self.cache) > _CACHE_LIMIT:
            self.cache.clear()
            self.tagged_cache.clear()
        for word in set(words).difference(self.cache):
            self.cache[word] = self.analyse_word(word)

    def __call__(self, text: str) -> list[str]:
        words = self.words(text)
        self._remember(words)
        return list(chain.from_iterable(map(self.cache.__getitem__, words)))

    def tagged(self, text: str, prefix: str) -> str:
        words = self.words(text)
        self._remember(words)
        table = self.tagged_cache.setdefault(prefix, {})
        for word in set(words).difference(table):
            table[word] = " ".join(prefix + token for token in self.cache[word])
        return " ".join(filter(None, map(table.__getitem__, words)))


def _arabic_word(token: str) -> tuple[str, ...]:
    if len(token) > MAX_TOKEN_LENGTH or token in STOPWORDS["ar"]:
        return ()
    return (arabic_stem(token),)


_analyze_arabic = _WordAnalyzer("_analyze_arabic", _arabic_word)


_VOWELS = frozenset("aeiouáéíóúâêîôûàèìòùäëïöü")


def _spanish_singular(token: str) -> str:
    """Plural to singular before Snowball, which stems them apart (unidades/unidad,
    jóvenes/joven): the job Elasticsearch's light_spanish stemmer does."""
    if len(token) < 4 or token[-1] != "s" or token[-2] in "áéíóú":  # país, autobús
        return token
    if token.endswith("ces"):
        return token[:-3] + "z"
    if token.endswith("es") and token[-3] not in _VOWELS:
        return token[:-2]
    return token[:-1]


def _french_singular(token: str) -> str:
    """Plural to singular before Snowball (radios/radio, chevaux/cheval), as
    Lucene's FrenchMinimalStemmer does."""
    if len(token) < 4:
        return token
    if token.endswith("aux"):
        return token[:-3] + "al"
    if token[-1] in "sx":
        return token[:-1]
    return token


_SINGULAR = {"es": _spanish_singular, "fr": _french_singular}


def _snowball_analyzer(
    language: str, elisions: frozenset[str] | None = None, possessive: bool = False
) -> _WordAnalyzer:
    stop = STOPWORDS[language]
    singular = _SINGULAR.get(language)

    def analyse_word(token: str) -> tuple[str, ...]:
        if len(token) > MAX_TOKEN_LENGTH or token in stop:
            return ()
        if singular is not None:
            token = singular(token)
        stem = _snowball(language).stemWord(token)
        if not stem.isascii():
            stem = _FOLD_RE.sub(_fold_char, stem)
        return tuple(s for s in stem.split(" ") if s)

    return _WordAnalyzer(f"_analyze_{language}", analyse_word, elisions, possessive)


_ANALYZERS: dict[str, _WordAnalyzer] = {
    "ar": _analyze_arabic,
    "en": _snowball_analyzer("en", possessive=True),
    "fr": _snowball_analyzer("fr", elisions=_FRENCH_ELISIONS),
    "es": _snowball_analyzer("es"),
}


def _analyzer_for(language: object) -> Callable[[str], list[str]]:
    if isinstance(language, str):
        analyzer = _ANALYZERS.get(language)
        if analyzer is not None:
            return analyzer
        code = language.strip().lower().replace("_", "-").split("-", 1)[0]
        return _ANALYZERS.get(code, _analyze_standard)
    return _analyze_standard


def analyze(text: str, language: str | None) -> list[str]:
    """The analysed tokens of ``text`` in ``language``, for indexing and for querying.

    ``language`` is one of ``LANGUAGES`` (a region subtag such as ``fr-CA`` is ignored);
    anything else gets :func:`analyze_standard`. Returns a list of non-empty tokens made of
    letters, digits and combining marks only; an empty or non-string text gives ``[]``.
    """
    if not text or not isinstance(text, str):
        return []
    return _analyzer_for(language)(text)


def analyze_tagged(text: str, language: str | None, prefix: str) -> str:
    """``" ".join(prefix + t for t in analyze(text, language))``, made faster for indexing
    (the joined form of each word is remembered too)."""
    if not text or not isinstance(text, str):
        return ""
    analyzer = _analyzer_for(language)
    if isinstance(analyzer, _WordAnalyzer):
        return analyzer.tagged(text, prefix)
    return " ".join(prefix + token for token in analyzer(text))


def analyze_standard(text: str) -> list[str]:
    """The language-neutral analysis: normalisation (Arabic included) and word split only."""
    if not text or not isinstance(text, str):
        return []
    return _analyze_standard(text)


def detect_script_language(text: str) -> str | None:
    """``"ar"`` if more than half the letters of ``text`` are Arabic-script letters, else None.

    Only the first 4,000 characters are looked at. Persian or Urdu text also says ``"ar"``:
    this guesses the script, to pick the analyzer of a query, not the language.
    """
    if not text or not isinstance(text, str):
        return None
    sample = text[:4000]
    if sample.isascii():
        return None
    letters = len(_LETTER_RE.findall(sample))
    arabic = len(_ARABIC_LETTER_RE.findall(sample))
    return "ar" if letters and arabic * 2 > letters else None


# --------------------------------------------------------------------------------------------
# Highlighting
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=20_000)
def _analyze_word(word: str, language: str | None) -> frozenset[str]:
    return frozenset(_analyzer_for(language)(word))


def _query_set(language: str | None, query_tokens: Iterable[str] | str) -> frozenset[str]:
    if isinstance(query_tokens, str):
        return frozenset(analyze(query_tokens, language))
    return frozenset(t for t in query_tokens if isinstance(t, str) and t)


def highlight_terms(
    text: str, language: str | None, query_tokens: Iterable[str] | str
) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of ``text`` whose word analyses to one of ``query_tokens``.

    ``query_tokens`` are analysed tokens (the output of ``analyze(query, language)``); a plain
    string is analysed first. The spans index the original text and cover whole words,
    diacritics, tatweel, attached prefixes and elided articles included, in text order and
    without overlaps. Stop words are never highlighted (they have no analysed token).
    """
    if not text or not isinstance(text, str):
        return []
    terms = _query_set(language, query_tokens)
    if not terms:
        return []
    if not isinstance(language, str):
        language = None
    prepared = _SAME_LENGTH_RE.sub(_same_length_char, text)
    raw_token_re = _RAW_TOKEN_RE_ASTRAL if _ASTRAL_RE.search(prepared) else _RAW_TOKEN_RE
    analyzer = _analyzer_for(language)
    # Each distinct word is analysed once; then the occurrences of those that match.
    matching = set()
    for word in set(raw_token_re.findall(prepared)):
        if len(word) <= 4 * MAX_TOKEN_LENGTH:
            analysed: Iterable[str] = _analyze_word(word, language)
        else:  # not worth caching
            analysed = analyzer(word)
        if not terms.isdisjoint(analysed):
            matching.add(word)
    if not matching:
        return []
    return [m.span() for m in raw_token_re.finditer(prepared) if m.group() in matching]


def _best_window(spans: list[tuple[int, int]], max_chars: int) -> tuple[int, int]:
    """Indexes ``(i, j)`` of the first and last span of the window holding the most spans."""
    best = (0, 0)
    best_count = 0
    j = 0
    for i, (start, _) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] - start <= max_chars:
            j += 1
        if j - i + 1 > best_count:
            best, best_count = (i, j), j - i + 1
    return best


def _escape(segment: str) -> str:
    return html.escape(_WHITESPACE_RUN_RE.sub(" ", segment))


def make_snippet(
    text: str,
    language: str | None,
    query_tokens: Iterable[str] | str,
    max_chars: int = 240,
    mark: tuple[str, str] = ("<mark>", "</mark>"),
) -> SafeString:
    """An HTML-safe snippet of ``text`` with the matches of ``query_tokens`` marked.

    The snippet is the window of at most ``max_chars`` characters of ``text`` that holds the
    most highlighted words (see :func:`highlight_terms`), widened to give context on both sides
    and cut at whitespace where possible; it starts or ends with "…" where the text is cut.
    Without a match it is the beginning of the text. The text is HTML-escaped and runs of
    whitespace become one space; only the ``mark`` strings, which are trusted, are inserted
    unescaped. Returned as a Django ``SafeString`` (a ``str``).
    """
    if not text or not isinstance(text, str):
        return mark_safe("")
    max_chars = max(int(max_chars), 1)
    spans = highlight_terms(text, language, query_tokens)
    length = len(text)

    if spans:
        i, j = _best_window(spans, max_chars)
        block_start, block_end = spans[i][0], spans[j][1]
        slack = max_chars - (block_end - block_start)
        if slack <= 0:
            start, end = block_start, block_start + max_chars
        else:
            start = max(0, block_start - slack // 2)
            end = min(length, start + max_chars)
            start = max(0, end - max_chars)
    else:
        block_start = block_end = None
        start, end = 0, min(length, max_chars)

    # Do not start or end in the middle of a word when there is whitespace to cut at.
    if start > 0 and not text[start - 1].isspace():
        limit = block_start if block_start is not None else end
        found = _WHITESPACE_RE.search(text, start, limit)
        if found:
            start = found.end()
    if end < length and not text[end].isspace():
        floor = block_end if block_end is not None else start
        found = _LAST_WHITESPACE_RE.search(text, floor, end)
        if found and found.start() >= floor:
            end = found.start()
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1

    opening, closing = mark
    parts: list[str] = []
    if start > 0 and not text[:start].isspace():
        parts.append("…")
    position = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        parts.append(_escape(text[position:span_start]))
        parts.append(opening)
        parts.append(_escape(text[span_start:span_end]))
        parts.append(closing)
        position = span_end
    parts.append(_escape(text[position:end]))
    if end < length and not text[end:].isspace():
        parts.append("…")
    return mark_safe("".join(parts))
