"""Searching the embedded index (see embedded.py for the layout).

A text search first asks FTS5 for every document matching the text fully (rowids only,
no score): turned into bitmaps of the results the reader may see (embedded_bitmaps),
they give the total and every facet count. Then only the documents a page needs are
scored: FTS5 queries whose MATCH holds the text *and* the filters (every facet value is
also a token of the `filters` column), in the query's language first, in the others
only when the first tier does not fill the page. Glossary phrases the index holds as
tokens (embedded_phrases) are asked for as those tokens.

Matching: a document matching every unit of the query (a "full" match) ranks above one
matching some; when at least MIN_FULL_MATCHES results match fully, only those are
listed and counted, otherwise the partial matches are added below them. Tiers:
  0  the query's language, full match      1  another language, full match
  2  the query's language, partial match   3  another language, partial match
"""

import numpy as np

from search.backends.embedded import SEPARATOR, WEIGHTS, facet_token
from search.backends.embedded_bitmaps import DOC_LEVEL_FACETS, snapshot
from search.plan import MIN_FULL_MATCHES, RawHit, RawResults

# The fewest documents `Search.best` asks SQLite for: a result may have several
# documents (an expert's tiers), which only count once.
MIN_SCORED = 50

HIT_COLUMNS = (
    "doc_id, content_type, object_id, translation_key, language, title, summary, body, url,"
    " published_at"
)


def quote(token):
    return '"' + token.replace('"', '""') + '"'


def _phrase_text(language, phrase, phrases):
    token = phrases.token(language, phrase) if phrases is not None and len(phrase) > 1 else None
    return quote(token or " ".join(f"{language}{SEPARATOR}{t}" for t in phrase))


def _unit_text(language, alternatives, phrases):
    texts = [_phrase_text(language, phrase, phrases) for phrase in alternatives if phrase]
    if not texts:
        return ""
    return texts[0] if len(texts) == 1 else f"({' OR '.join(texts)})"


def fts_expression(clauses, required=None, phrases=None):
    """FTS5 MATCH text for the plan's clauses: with `required` ({language: unit
    indexes}) those units must all match, else any unit may; the phrases `phrases` (a
    PhraseIndex) holds are asked for as their tokens. Every token is quoted, so user
    input can never be read as FTS5 syntax."""
    per_language = []
    for language, units in clauses.items():
        chosen = units if required is None else [units[i] for i in required.get(language, [])]
        texts = [t for t in (_unit_text(language, unit, phrases) for unit in chosen) if t]
        if texts:
            joiner = " OR " if required is None else " AND "
            per_language.append(f"({joiner.join(texts)})")
    return " OR ".join(per_language)


def filter_expression(filters):
    """FTS5 MATCH text restricting to the active filters ("" for none)."""
    groups = [[facet_token(f, v) for v in values] for f, values in filters.items() if values]
    return " AND ".join("(" + " OR ".join(quote(t) for t in group) + ")" for group in groups)


def _or(bitmaps):
    result = 0
    for bits in bitmaps:
        result |= bits
    return result


class Search:
    """One search of a plan against one snapshot of the index."""

    def __init__(self, conn, snap, plan):
        self.conn, self.snap, self.plan = conn, snap, plan
        self.filters = {f: v for f, v in plan.filters.items() if v}
        self.visibility = set(plan.visibility)

    def expression(self, clauses, required=None):
        return fts_expression(clauses, required, self.snap.phrases)

    def matches(self, text, limit=None):
        """[(rowid, score)] of the documents matching the text and the filters (of
        every tier: best_per_key keeps the reader's); with `limit`, the best ones only."""
        restriction = filter_expression(self.filters)
        expression = f"({text}) AND {restriction}" if restriction else text
        sql = f"SELECT rowid, bm25(docs_fts, {WEIGHTS}) FROM docs_fts WHERE docs_fts MATCH ?"
        if limit is None:
            return self.conn.execute(sql, [expression]).fetchall()
        return self.conn.execute(f"{sql} ORDER BY 2, 1 LIMIT ?", [expression, limit]).fetchall()

    def best(self, text, wanted, exclude=frozenset(), least_tier=0):
        """The `wanted` best [(tier, score, rowid)] of the results matching the text and
        the filters, but the keys in `exclude`, best first (all of them when there are
        fewer), none in a tier below `least_tier`.

        SQLite keeps the documents with the best scores (only they reach Python), and is
        asked for more when too many are another version of a result or excluded, or
        while a document it left out could still come first by its tier: the themes
        column holds every language's names, so a practice in another language can
        match the query's own words and sits in the tier below."""
        limit = max(2 * wanted, MIN_SCORED)
        while True:
            rows = self.matches(text, limit)
            best = self.best_per_key(rows, least_tier=least_tier)
            ranked = sorted(rank for key, rank in best.items() if key not in exclude)
            if len(rows) < limit or (len(ranked) >= wanted and ranked[wanted - 1][0] <= least_tier):
                return ranked[:wanted]
            limit *= 4

    def matching_rowids(self, text):
        """The rowids of the documents matching the text, of every tier, as an array
        (no score: three times faster than `matches`)."""
        found = self.conn.execute(
            "SELECT group_concat(rowid) FROM docs_fts WHERE docs_fts MATCH ?", [text]
        ).fetchone()[0]
        return np.fromstring(found or "", dtype=np.int64, sep=",")

    def by_language(self, rowids):
        return self.snap.keys_by_language(rowids, self.visibility)

    def best_per_key(self, rows, full=None, least_tier=0):
        """{key number: (tier, score, rowid)}, the best document of each result the
        reader may see, none in a tier below `least_tier`."""
        tk_of, language_of = self.snap.tk_of, self.snap.language_of
        visibility_of, visibility = self.snap.visibility_of, self.visibility
        language = self.plan.language
        best = {}
        for rowid, score in rows:
            if visibility_of[rowid] not in visibility:
                continue
            tier = (language_of[rowid] != language) + (0 if full is None or rowid in full else 2)
            tier = max(tier, least_tier)
            rank = (tier, score, rowid)
            key = tk_of[rowid]
            current = best.get(key)
            if current is None or rank < current:
                best[key] = rank
        return best

    def key_filter(self, values, skip=None):
        """Bitmap of the results the active filters (but `skip`) allow; None for all."""
        result = None
        for facet, chosen in self.filters.items():
            if facet == skip or facet in DOC_LEVEL_FACETS:
                continue
            allowed = _or(values.get(facet, {}).get(v, 0) for v in chosen)
            result = allowed if result is None else result & allowed
        return result

    def matched(self, by_language):
        """Bitmap of the results among keys_by_language() the `lang` filter allows."""
        languages = self.filters.get("lang")
        if languages is None:
            return by_language.get(None, 0)
        return _or(by_language.get(lang, 0) for lang in languages)

    def facet_counts(self, by_language):
        """{facet: {value: results}}, each facet counted with every filter but its own."""
        values = self.snap.facet_values(self.plan.visibility)
        matched = self.matched(by_language)
        counts = {}
        for facet in self.plan.facets:
            if facet in DOC_LEVEL_FACETS:
                restriction = self.key_filter(values)
                pairs = [(lang, bits) for lang, bits in by_language.items() if lang is not None]
            else:
                restriction = self.key_filter(values, skip=facet)
                pairs = values.get(facet, {}).items()
            base = matched if facet not in DOC_LEVEL_FACETS else None
            found = {}
            for value, bits in pairs:
                hits = bits & base if base is not None else bits
                if restriction is not None:
                    hits &= restriction
                n = hits.bit_count()
                if n:
                    found[value] = n
            counts[facet] = found
        return counts

    def hits(self, ranked):
        """RawHits of [(tier, score, rowid)], in that order."""
        ids = [rowid for _tier, _score, rowid in ranked]
        if not ids:
            return []
        docs = {
            r[0]: r[1:]
            for r in self.conn.execute(
                f"SELECT rowid, {HIT_COLUMNS} FROM docs WHERE rowid IN"
                f" ({', '.join('?' for _ in ids)})",
                ids,
            )
        }
        return [
            RawHit(*docs[rowid], tier=tier, score=score)
            for tier, score, rowid in ranked
            if rowid in docs
        ]

    def page(self, best):
        plan = self.plan
        if plan.sort == "date" or not plan.has_text:
            published = self.snap.published_of
            ordered = sorted(best, key=lambda r: (published[r[2]], r[2]), reverse=True)
        else:
            ordered = sorted(best)
        return ordered[plan.offset : plan.offset + plan.limit]

    def results(self, by_language):
        """Bitmap of the results: the keys of matching documents within every filter."""
        results = self.matched(by_language)
        restriction = self.key_filter(self.snap.facet_values(self.plan.visibility))
        return results if restriction is None else results & restriction

    # --- the two kinds of search ----------------------------------------------------------
    def text(self):
        plan = self.plan
        strict = self.expression(plan.clauses, plan.strict)
        strict_rowids = self.matching_rowids(strict)
        by_language = self.by_language(strict_rowids)
        results = self.results(by_language)
        loose = self.expression(plan.clauses)
        if plan.require_all or loose == strict or results.bit_count() >= MIN_FULL_MATCHES:
            return self.full_matches(strict, by_language, results)
        # Few full matches: every match, the full ones first.
        rows = self.matches(loose)
        best = self.best_per_key(rows, full=set(strict_rowids.tolist()))
        facet_counts = {}
        if plan.facets:
            if any(f in self.filters for f in plan.facets):
                source = self.matching_rowids(loose)  # counted without their own filter
            else:
                source = [rowid for rowid, _score in rows]
            facet_counts = self.facet_counts(self.by_language(source))
        ranked = list(best.values())
        cross = sorted({self.snap.language_of[r[2]] for r in ranked if r[0] % 2 == 1})
        return RawResults(
            hits=self.hits(self.page(ranked)),
            total=len(ranked),
            facet_counts=facet_counts,
            cross_languages=cross,
        )

    def full_matches(self, strict, by_language, results):
        """The results matching fully. Total and facets come from the bitmaps; only the
        documents a page needs are scored: those in the query's language first (the first
        tier), the other languages only when the first tier does not fill the page."""
        plan, language = self.plan, self.plan.language
        wanted = plan.offset + plan.limit
        if plan.sort == "date":
            best = self.best_per_key(self.matches(strict))
            ordered = self.page(list(best.values()))
        else:
            own = {language: plan.clauses.get(language, [])}
            ranked = []
            if own[language]:
                ranked = self.best(self.expression(own, plan.strict), wanted)
            others = {code: units for code, units in plan.clauses.items() if code != language}
            expression = self.expression(others, plan.strict)
            if len(ranked) < wanted and expression:
                # The first tier holds every result in the query's language: fewer than
                # wanted, so `best` returned them all. What the other languages' words
                # find is in the cross-language tier, whatever its language.
                seen = {self.snap.tk_of[rowid] for _tier, _score, rowid in ranked}
                more = wanted - len(ranked)
                ranked += self.best(expression, more, exclude=seen, least_tier=1)
            ordered = ranked[plan.offset : wanted]
        own_results = by_language.get(language, 0)
        cross = sorted(
            code
            for code, bits in by_language.items()
            if code not in (None, language) and bits & results & ~own_results
        )
        return RawResults(
            hits=self.hits(ordered),
            total=results.bit_count(),
            facet_counts=self.facet_counts(by_language) if plan.facets else {},
            cross_languages=cross,
        )

    def browse(self):
        """No text: every visible result the filters allow, newest first."""
        snap, plan = self.snap, self.plan
        by_language = snap.all_keys_by_language(self.visibility)
        languages = self.filters.get("lang")
        allowed = self.matched(by_language)
        restriction = self.key_filter(snap.facet_values(plan.visibility))
        if restriction is not None:
            allowed &= restriction
        total = allowed.bit_count()
        wanted = plan.offset + plan.limit
        allowed_bytes = allowed.to_bytes((snap.size + 8) // 8, "little")
        chosen, seen = [], set()
        for rowid in snap.newest_first():
            key = snap.tk_of[rowid]
            if key in seen or not allowed_bytes[key >> 3] >> (key & 7) & 1:
                continue
            candidates = [
                r
                for r in snap.docs_of_key[key]
                if snap.visibility_of[r] in self.visibility
                and (languages is None or set(snap.lang_of[r]) & set(languages))
            ]
            if not candidates:
                continue
            seen.add(key)
            tier, rowid = min((snap.language_of[r] != plan.language, r) for r in candidates)
            chosen.append((int(tier), 0.0, rowid))
            if len(chosen) >= wanted:
                break
        facet_counts = self.facet_counts(by_language) if plan.facets else {}
        return RawResults(
            hits=self.hits(chosen[plan.offset :]),
            total=total,
            facet_counts=facet_counts,
            cross_languages=[],
        )


def run(conn, plan, path):
    conn.execute("BEGIN")  # one read snapshot for the bitmaps and the queries
    try:
        search = Search(conn, snapshot(conn, path), plan)
        return search.text() if plan.has_text else search.browse()
    finally:
        conn.execute("COMMIT")


def suggest(conn, prefix_tokens, visibility, limit):
    """Titles and themes whose words start with what the user typed."""
    if not prefix_tokens:
        return []
    *complete, last = prefix_tokens
    expression = " ".join([*(quote(t) for t in complete), quote(last) + "*"])
    visibility = list(visibility)
    rows = conn.execute(
        "SELECT text, kind, language, url FROM suggest_fts WHERE suggest_fts MATCH ?"
        f" AND visibility IN ({', '.join('?' for _ in visibility)}) ORDER BY rank LIMIT ?",
        [expression, *visibility, limit * 3],
    ).fetchall()
    seen, results = set(), []
    for text, kind, language, url in rows:
        if text.casefold() in seen:
            continue
        seen.add(text.casefold())
        results.append({"text": text, "kind": kind, "language": language, "url": url or None})
    return results[:limit]
