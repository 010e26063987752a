"""In-memory bitmaps over the embedded index, for filters, totals and facet counts.

Counting facets in SQL means joining every matching document to its facet rows: at
100,000 documents a loose query matches most of them and the counts took 440 ms
(bench/search.py). Here each facet value is a Python int used as a bitmap over
*translation keys* (one bit per practice or expert, whatever its number of language
versions or privacy tiers), so a count is `(matches & value).bit_count()`: a few
microseconds, whatever the number of matches.

A snapshot is built once per index generation (the `meta` table's counter, bumped by
every write) and per process, from the `docs` and `facets` tables: about one second at
100,000 documents, a few milliseconds for the demo.

Facet bitmaps are kept per visibility tier, because an expert's public document may
carry fewer facet values than their members' one; a reader's bitmap is the union over
the tiers they may read. The `lang` facet is counted from the matching documents
themselves (a practice found through its English version counts under English only).
Bitmaps count results; `keys_by_language` turns matching documents into them, keeping
only those of the reader's tiers (visibility is not in the FTS5 queries).

The snapshot also carries the index file's PhraseIndex (embedded_phrases), so a query
asks for the phrase tokens the file holds.
"""

import threading
from dataclasses import dataclass, field

import numpy as np

from search.backends import embedded_phrases

DOC_LEVEL_FACETS = ("lang",)


def bitmap(positions, size):
    """An int with the bits at `positions` set."""
    bits = bytearray((size + 8) // 8)
    for p in positions:
        bits[p >> 3] |= 1 << (p & 7)
    return int.from_bytes(bits, "little")


def positions(value):
    """The set bits of an int, lowest first."""
    data = value.to_bytes((value.bit_length() + 7) // 8, "little")
    out = []
    for byte_index, byte in enumerate(data):
        while byte:
            low = byte & -byte
            out.append(byte_index * 8 + low.bit_length() - 1)
            byte ^= low
    return out


@dataclass
class Snapshot:
    generation: str
    tk_of: list  # rowid -> translation-key number (-1 where no document)
    language_of: list  # rowid -> language code (the document's own)
    lang_of: list  # rowid -> values of its `lang` facet (an expert's languages)
    combo_of: list  # rowid -> index in `combos` of its (lang_of, visibility)
    combos: list  # the distinct (lang_of, visibility) pairs
    visibility_of: list  # rowid -> visibility tier
    published_of: list  # rowid -> ISO date or ""
    keys: list  # translation-key number -> translation key
    docs_of_key: list  # translation-key number -> [rowid, ...]
    values: dict  # {visibility: {facet: {value: bitmap over key numbers}}}
    phrases: embedded_phrases.PhraseIndex  # the glossary phrases indexed as tokens
    # What is derived from the above on demand: facet values per tier set, keys per
    # language per tier set, the newest-first order.
    _derived: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def size(self):
        return len(self.keys)

    def facet_values(self, visibility):
        """{facet: {value: bitmap}} for a reader of these tiers (cached per tier set)."""
        tiers = tuple(sorted(visibility))
        cached = self._derived.get(tiers)
        if cached is not None:
            return cached
        merged = {}
        for tier in tiers:
            for facet, per_value in self.values.get(tier, {}).items():
                into = merged.setdefault(facet, {})
                for value, bits in per_value.items():
                    into[value] = into.get(value, 0) | bits
        with self._lock:
            self._derived[tiers] = merged
        return merged

    def keys_by_language(self, rowids, visibility):
        """{language: bitmap of keys} of those of the given documents (an array or a
        list of rowids) a reader of these tiers may see, by the values of their `lang`
        facet, and under None all of them. NumPy sets the bits: a match of 60,000
        documents takes one to three milliseconds, where a Python loop took ten or more."""
        tk_of, combo_of = self._arrays()
        rowids = np.asarray(rowids, dtype=np.int64)
        keys = tk_of[rowids]
        present = keys >= 0  # only documents (FTS5 returns no others)
        keys, combos = keys[present], combo_of[rowids[present]]
        width = (len(self.keys) + 8) // 8 * 8  # bits per combination, whole bytes
        bits = np.zeros(len(self.combos) * width, dtype=bool)
        bits[combos * width + keys] = True
        packed = np.packbits(bits, bitorder="little")
        result = {None: 0}
        for combo in np.flatnonzero(np.bincount(combos, minlength=len(self.combos))).tolist():
            languages, tier = self.combos[combo]
            if tier not in visibility:
                continue
            chunk = packed[combo * width // 8 : (combo + 1) * width // 8]
            value = int.from_bytes(chunk.tobytes(), "little")
            result[None] |= value
            for language in languages:
                result[language] = result.get(language, 0) | value
        return result

    def _arrays(self):
        """tk_of and combo_of as NumPy arrays (cached)."""
        cached = self._derived.get("arrays")
        if cached is None:
            cached = (
                np.array(self.tk_of, dtype=np.int64),
                np.array(self.combo_of, dtype=np.int64),
            )
            with self._lock:
                self._derived["arrays"] = cached
        return cached

    def all_keys_by_language(self, visibility):
        """{language: bitmap of keys} of every document a reader may see (cached)."""
        tiers = ("all", *sorted(visibility))
        cached = self._derived.get(tiers)
        if cached is None:
            documents = [rowid for rowid, key in enumerate(self.tk_of) if key >= 0]
            cached = self.keys_by_language(documents, visibility)
            with self._lock:
                self._derived[tiers] = cached
        return cached

    def newest_first(self):
        """Every rowid, the most recently published first (cached)."""
        cached = self._derived.get("newest")
        if cached is None:
            published = self.published_of
            cached = sorted(
                (r for r, key in enumerate(self.tk_of) if key >= 0),
                key=lambda r: (published[r], r),
                reverse=True,
            )
            with self._lock:
                self._derived["newest"] = cached
        return cached


def load(conn, generation):
    docs = conn.execute(
        "SELECT rowid, translation_key, language, visibility, coalesce(published_at, '')"
        " FROM docs ORDER BY rowid"
    ).fetchall()
    size = (docs[-1][0] + 1) if docs else 1
    tk_of = [-1] * size
    language_of = [None] * size
    lang_of = [()] * size
    visibility_of = [None] * size
    published_of = [""] * size
    numbers, keys, docs_of_key = {}, [], []
    for rowid, key, language, visibility, published in docs:
        number = numbers.get(key)
        if number is None:
            number = numbers[key] = len(keys)
            keys.append(key)
            docs_of_key.append([])
        docs_of_key[number].append(rowid)
        tk_of[rowid] = number
        language_of[rowid] = language
        visibility_of[rowid] = visibility
        published_of[rowid] = published
    values = {}
    rows = conn.execute(
        "SELECT f.facet, f.value, d.visibility, group_concat(f.doc) FROM facets f"
        " CROSS JOIN docs d ON d.rowid = f.doc GROUP BY f.facet, f.value, d.visibility"
    )
    for facet, value, visibility, rowids in rows:
        if facet in DOC_LEVEL_FACETS:
            for r in rowids.split(","):
                lang_of[int(r)] += (value,)
            continue
        key_numbers = (tk_of[int(r)] for r in rowids.split(","))
        values.setdefault(visibility, {}).setdefault(facet, {})[value] = bitmap(
            key_numbers, len(keys)
        )
    combo_numbers = {}
    combo_of = [
        combo_numbers.setdefault(combo, len(combo_numbers))
        for combo in zip(lang_of, visibility_of, strict=True)
    ]
    return Snapshot(
        generation=generation,
        combo_of=combo_of,
        combos=list(combo_numbers),
        tk_of=tk_of,
        language_of=language_of,
        lang_of=lang_of,
        visibility_of=visibility_of,
        published_of=published_of,
        keys=keys,
        docs_of_key=docs_of_key,
        values=values,
        phrases=embedded_phrases.stored(conn),
    )


_snapshots = {}
_snapshots_lock = threading.Lock()


def snapshot(conn, path):
    """The snapshot of the index file at `path` as of its current generation."""
    generation = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    generation = generation[0] if generation else ""
    current = _snapshots.get(path)
    if current is not None and current.generation == generation:
        return current
    with _snapshots_lock:
        current = _snapshots.get(path)
        if current is None or current.generation != generation:
            current = _snapshots[path] = load(conn, generation)
    return current
