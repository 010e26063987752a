"""The multilingual CT/PVE glossary that carries a query across languages.

The curated base is search/data/glossary.json; moderators add concepts as
GlossaryConcept snippets. Terms are analysed with each language's analyzer, so a
query matches a concept whatever its inflection (والإرهاب, extremismos...).
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from uuid import uuid4

from search.analysis import LANGUAGES, analyze

DATA_FILE = Path(__file__).parent / "data" / "glossary.json"


@dataclass
class Concept:
    key: str
    terms: dict = field(default_factory=dict)  # {language: [term, ...]}


def base_concepts():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return [
        Concept(key=item["key"], terms={code: item.get(code, []) for code in LANGUAGES})
        for item in data["concepts"]
    ]


def all_concepts():
    from search.models import GlossaryConcept

    concepts = {c.key: c for c in base_concepts()}
    for row in GlossaryConcept.objects.all():
        extra = row.terms()
        concept = concepts.setdefault(row.key, Concept(key=row.key, terms={}))
        for code, terms in extra.items():
            merged = concept.terms.setdefault(code, [])
            merged.extend(t for t in terms if t not in merged)
    return list(concepts.values())


class Glossary:
    def __init__(self, concepts):
        self.concepts = {c.key: c for c in concepts}
        # {language: {first token: [(token tuple, concept key)]}}
        self.by_language = {code: {} for code in LANGUAGES}
        self.analysed = {}  # {(key, language): [token tuples]}
        for concept in concepts:
            for code in LANGUAGES:
                phrases = []
                for term in concept.terms.get(code, []):
                    tokens = tuple(analyze(term, code))
                    if tokens and tokens not in phrases:
                        phrases.append(tokens)
                        self.by_language[code].setdefault(tokens[0], []).append(
                            (tokens, concept.key)
                        )
                self.analysed[(concept.key, code)] = phrases

    def __len__(self):
        return len(self.concepts)

    def find_spans(self, tokens, language):
        """(start, end, key) for every concept term found as a token run in `tokens`."""
        spans = []
        index = self.by_language.get(language, {})
        for start, token in enumerate(tokens):
            for phrase, key in index.get(token, ()):
                if tuple(tokens[start : start + len(phrase)]) == phrase:
                    spans.append((start, start + len(phrase), key))
        return spans

    def phrases(self, key, language):
        """The concept's terms in `language`, analysed (token tuples)."""
        return self.analysed.get((key, language), [])

    def terms_starting_with(self, prefix, language, limit=10):
        prefix = prefix.casefold()
        results = []
        for concept in self.concepts.values():
            for term in concept.terms.get(language, []):
                if term.casefold().startswith(prefix):
                    results.append(term)
        return sorted(results, key=len)[:limit]


VERSION_KEY = "kx-glossary-version"


@lru_cache(maxsize=1)
def _cached(version):
    return Glossary(all_concepts())


def get_glossary():
    """The glossary, rebuilt when a moderator changes a concept.

    Each process keeps the glossary of the version in Django's cache; with several
    processes, only a shared cache (CACHES) lets a change reach them all.
    """
    from django.core.cache import cache

    version = cache.get(VERSION_KEY)
    if version is None:
        # Emptied or evicted: a new version, so this process rebuilds from the database.
        version = uuid4().hex
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY, version)
    return _cached(version)


def glossary_changed():
    """Make every process rebuild its glossary (called after a concept is saved or deleted).

    A new random version, not a counter: a counter restarts after the cache is emptied and
    can land on a version this process already built from older concepts.
    """
    from django.core.cache import cache

    cache.set(VERSION_KEY, uuid4().hex, None)
