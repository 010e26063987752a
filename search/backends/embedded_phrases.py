"""Glossary phrases indexed as single tokens in the embedded index.

Most glossary terms are phrases ("young people", "إعادة الإدماج", "police de proximité").
FTS5 matches a phrase by reading the positions of every occurrence of each of its words
in every document holding them all; and BM25 counts, for each phrase of a query, the
documents containing it, by running the phrase over the whole index again. At 100,000
documents these phrases were most of a query's time (bench/search.py).

So the index also holds, for each occurrence of a glossary phrase in a document, one
token standing for the whole phrase (`p_en_<hex of "en_young en_peopl">`), appended to
the column where the phrase occurs. A query asks for that token instead of the phrase:
the same documents match (the token is there exactly where the phrase is), with the same
term frequency, and FTS5 reads one short doclist.

Which phrases an index file holds is written in its `meta` table when the file is
created (from the glossary of that moment), and every document written to that file
afterwards carries tokens for exactly those phrases. A phrase moderators add to the
glossary later is matched the ordinary way (positions) until `search_rebuild` writes a
new file: never a missed match, only a slower one.
"""

import json
from functools import lru_cache
from itertools import compress, count

from search.analysis import LANGUAGES

SEPARATOR = "_"  # the index's token separator (embedded.SEPARATOR)
META_KEY = "phrases"


def phrase_token(language, tokens):
    """The single token standing for a phrase (analysed tokens) of `language`."""
    text = " ".join(tokens)
    return f"p{SEPARATOR}{language}{SEPARATOR}{text.encode().hex()}"


class PhraseIndex:
    """The phrases an index file holds as tokens: {language: {token tuple: token}}."""

    def __init__(self, phrases=None):
        self.tokens = {code: {} for code in LANGUAGES}
        # {language: {first tagged token: {second: [(tagged tokens, token)]}}}
        self._starts = {code: {} for code in LANGUAGES}
        for code, tuples in (phrases or {}).items():
            if code not in self.tokens:
                continue
            for tokens in tuples:
                tokens = tuple(tokens)
                if len(tokens) < 2 or tokens in self.tokens[code]:
                    continue
                token = phrase_token(code, tokens)
                self.tokens[code][tokens] = token
                tagged = [f"{code}{SEPARATOR}{t}" for t in tokens]
                following = self._starts[code].setdefault(tagged[0], {})
                following.setdefault(tagged[1], []).append((tagged, token))

    @classmethod
    def from_glossary(cls, glossary):
        phrases = {code: [] for code in LANGUAGES}
        for (_key, code), tuples in glossary.analysed.items():
            phrases.setdefault(code, []).extend(t for t in tuples if len(t) > 1)
        return cls(phrases)

    def __len__(self):
        return sum(len(per_language) for per_language in self.tokens.values())

    def to_json(self):
        return json.dumps(
            {code: [list(t) for t in per_language] for code, per_language in self.tokens.items()},
            ensure_ascii=False,
        )

    def __reduce__(self):
        # Sent to a rebuild's worker processes with every batch: as its text, read back
        # into the one object of that text each process keeps.
        text = self.__dict__.get("_json")
        if text is None:
            text = self._json = self.to_json()
        return (_from_json, (text,))

    @classmethod
    def from_json(cls, text):
        """The PhraseIndex written as `text`: the same object for the same text, so that
        what is remembered for one (embedded.themes_text) serves every write."""
        return _from_json(text or "")

    def token(self, language, tokens):
        """The token for this phrase, or None where the index does not hold it."""
        return self.tokens.get(language, {}).get(tuple(tokens))

    def found_in(self, tagged, language):
        """The phrase tokens of every occurrence of an indexed phrase of `language` in
        `tagged` (analysed tokens with their language prefix, space-separated)."""
        starts = self._starts.get(language)
        if not starts or not tagged:
            return []
        words = tagged.split(" ")
        words.append("")  # so that every word has a next one
        found = []
        # At every word that begins a phrase (found by C code: most words do not), the
        # phrases beginning with it and the next word.
        for at in compress(count(), map(starts.__contains__, words)):
            for phrase, token in starts[words[at]].get(words[at + 1], ()):
                if len(phrase) == 2 or words[at : at + len(phrase)] == phrase:
                    found.append(token)
        return found

    def with_phrases(self, tagged, language):
        """`tagged` followed by the phrase tokens found in it."""
        found = self.found_in(tagged, language)
        return f"{tagged} {' '.join(found)}" if found else tagged


@lru_cache(maxsize=4)
def _from_json(text):
    return PhraseIndex(json.loads(text) if text else {})


def stored(conn):
    """The PhraseIndex of an index file (empty for a file written without one)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    return PhraseIndex.from_json(row[0] if row else "")


def store(conn, phrases):
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (META_KEY, phrases.to_json()),
    )
