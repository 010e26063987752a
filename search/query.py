"""Turn what a user typed into a SearchPlan's clauses, safely.

Whatever the input (FTS5 operators, quotes, 10,000 characters, mixed scripts, emoji,
bidirectional controls), the output is only analysed word tokens: nothing the user
types is ever passed to a backend as query syntax.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from search.analysis import LANGUAGES, analyze, analyze_standard, detect_script_language
from search.glossary import get_glossary

MAX_QUERY_CHARS = 500
MAX_WORDS = 32
# Python's \w leaves out combining marks (Arabic harakat, Latin accents in NFD), which would
# cut a vocalised word in pieces, the very problem FTS5's tokenizer has: words include them.
_MARKS = "".join(
    chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)) in ("Mn", "Mc", "Me")
)
_WORD_CHAR = rf"[\w{re.escape(_MARKS)}\u0640]"
WORD = re.compile(rf"{_WORD_CHAR}+(?:['’]{_WORD_CHAR}+)*")
# French elided articles (l'école, d'Afrique, qu'il) come off before any language's
# analysis, so "l'école" does not ask English documents for an "l".
ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|quoiqu|lorsqu|puisqu)['’](?=\w)", re.I)


def clean(text):
    text = unicodedata.normalize("NFC", str(text or ""))[: MAX_QUERY_CHARS * 2]
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") else c for c in text)
    return " ".join(text.split())[:MAX_QUERY_CHARS]


@dataclass
class ParsedQuery:
    language: str
    words: list = field(default_factory=list)
    clauses: dict = field(default_factory=dict)  # {doc language: [[phrase, ...], ...]}
    texts: dict = field(default_factory=dict)  # the clauses as unanalysed text
    strict: dict = field(default_factory=dict)  # {doc language: [unit indexes]}
    concepts: list = field(default_factory=list)


def parse(text, language):
    text = clean(text)
    language = language if language in LANGUAGES else "en"
    if detect_script_language(text) == "ar":
        language = "ar"
    words = [ELISION.sub("", w) or w for w in WORD.findall(text)[:MAX_WORDS]]
    parsed = ParsedQuery(language=language, words=words)
    if not words:
        return parsed

    analysed = {code: [analyze(w, code) for w in words] for code in LANGUAGES}
    # A word that is a stop word in the query's language is not required in any language.
    for position, tokens in enumerate(analysed[language]):
        if not tokens:
            for code in LANGUAGES:
                analysed[code][position] = []
    spans = _concept_spans(analysed, language)
    parsed.concepts = [key for _start, _end, key in spans]
    glossary = get_glossary()

    for code in LANGUAGES:
        units, texts, concept_units = [], [], []
        covered = set()
        for start, end, key in spans:
            phrases = list(glossary.phrases(key, code))
            literal = tuple(t for w in range(start, end) for t in analysed[code][w])
            if literal and literal not in phrases:
                phrases.append(literal)
            if phrases:
                concept_units.append(len(units))
                units.append(phrases)
                terms = [t for t in glossary.concepts[key].terms.get(code, []) if analyze(t, code)]
                texts.append(terms + ([" ".join(words[start:end])] if literal else []))
            covered.update(range(start, end))
        for position, tokens in enumerate(analysed[code]):
            if position not in covered and tokens:
                units.append([tuple(tokens)])
                texts.append([words[position]])
        parsed.clauses[code] = units
        parsed.texts[code] = texts
        if code != language and concept_units:
            parsed.strict[code] = concept_units  # untranslated words are optional there
        else:
            parsed.strict[code] = list(range(len(units)))
    return parsed


def _concept_spans(analysed, query_language):
    """Non-overlapping glossary concepts in the query, as word spans, longest first."""
    glossary = get_glossary()
    candidates = []
    for code in LANGUAGES:
        tokens, owner = [], []
        for position, word_tokens in enumerate(analysed[code]):
            tokens.extend(word_tokens)
            owner.extend([position] * len(word_tokens))
        for start, end, key in glossary.find_spans(tokens, code):
            first, last = owner[start], owner[end - 1] + 1
            candidates.append((last - first, code == query_language, first, last, key))
    chosen, taken = [], set()
    for _length, _same, first, last, key in sorted(candidates, reverse=True):
        words = set(range(first, last))
        if words & taken or any(key == k for _s, _e, k in chosen):
            continue
        taken |= words
        chosen.append((first, last, key))
    return sorted(chosen)


def suggestion_tokens(text):
    """Words of a partial query, normalised like the suggestion index's text."""
    return analyze_standard(clean(text))[:8]
