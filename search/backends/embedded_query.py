"""SQL for searching the embedded index (see embedded.py for the layout)."""

from search.backends.embedded import SEPARATOR, WEIGHTS
from search.plan import RawHit, RawResults

HIT_COLUMNS = (
    "doc_id, content_type, object_id, translation_key, language, title, summary, body, url,"
    " published_at"
)


def quote(token):
    return '"' + token.replace('"', '""') + '"'


def _unit_text(language, alternatives):
    phrases = [
        quote(" ".join(f"{language}{SEPARATOR}{t}" for t in phrase))
        for phrase in alternatives
        if phrase
    ]
    if not phrases:
        return ""
    return phrases[0] if len(phrases) == 1 else f"({' OR '.join(phrases)})"


def fts_expression(clauses, required=None):
    """FTS5 MATCH text for the plan's clauses: with `required` ({language: unit
    indexes}) those units must all match, else any unit may. Every token is quoted, so
    user input can never be read as FTS5 syntax."""
    per_language = []
    for language, units in clauses.items():
        chosen = units if required is None else [units[i] for i in required.get(language, [])]
        texts = [t for t in (_unit_text(language, unit) for unit in chosen) if t]
        if texts:
            joiner = " OR " if required is None else " AND "
            per_language.append(f"({joiner.join(texts)})")
    return " OR ".join(per_language)


def _placeholders(values):
    return ", ".join("?" for _ in values)


def _load_matches(conn, plan):
    """Fill the temp table m with every visible document the text matches."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS m ("
        " rowid INTEGER PRIMARY KEY, tk TEXT, language TEXT, published_at TEXT,"
        " score REAL, tier INTEGER)"
    )
    conn.execute("DELETE FROM m")
    visibility = list(plan.visibility)
    strict = fts_expression(plan.clauses, plan.strict)
    # Partial matches start two tiers down; full matches are lifted back up.
    # CROSS JOIN makes SQLite run the FTS5 match first and fetch rows by rowid; with a
    # plain JOIN it scanned docs and probed the index row by row (bench/search.py).
    conn.execute(
        "INSERT INTO m SELECT d.rowid, d.translation_key, d.language, d.published_at,"
        f" bm25(docs_fts, {WEIGHTS}), (d.language != ?) + 2"
        " FROM docs_fts CROSS JOIN docs d ON d.rowid = docs_fts.rowid"
        f" WHERE docs_fts MATCH ? AND d.visibility IN ({_placeholders(visibility)})",
        [plan.language, strict if plan.require_all else fts_expression(plan.clauses), *visibility],
    )
    if plan.require_all:
        conn.execute("UPDATE m SET tier = tier - 2")
    else:
        conn.execute(
            "UPDATE m SET tier = tier - 2 WHERE rowid IN"
            " (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?)",
            [strict],
        )
    return "m", []


def _browse_source(plan):
    visibility = list(plan.visibility)
    source = (
        "(SELECT rowid, translation_key AS tk, language, published_at, 0.0 AS score,"
        f" language != ? AS tier FROM docs WHERE visibility IN ({_placeholders(visibility)}))"
    )
    return source, [plan.language, *visibility]


def _filtered(source, params, plan, skip=None):
    """SELECT over the source with every active filter but `skip` applied."""
    sql = f"SELECT * FROM {source} AS s"
    conditions, args = [], list(params)
    for facet, values in plan.filters.items():
        if values and facet != skip:
            conditions.append(
                "s.rowid IN (SELECT doc FROM facets WHERE facet = ?"
                f" AND value IN ({_placeholders(values)}))"
            )
            args.extend([facet, *values])
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    return sql, args


def run(conn, plan):
    if plan.has_text:
        source, params = _load_matches(conn, plan)
    else:
        source, params = _browse_source(plan)

    filtered, args = _filtered(source, params, plan)
    order = (
        "tier, score, rowid"
        if plan.sort == "relevance" and plan.has_text
        else ("published_at DESC, rowid DESC")
    )
    rows = conn.execute(
        f"SELECT rowid, tier, score FROM (SELECT *, ROW_NUMBER() OVER"
        f" (PARTITION BY tk ORDER BY tier, score, rowid) AS rn FROM ({filtered}))"
        f" WHERE rn = 1 ORDER BY {order} LIMIT ? OFFSET ?",
        [*args, plan.limit, plan.offset],
    ).fetchall()
    total = conn.execute(f"SELECT COUNT(DISTINCT tk) FROM ({filtered})", args).fetchone()[0]

    hits = []
    if rows:
        ranks = {rowid: (tier, score) for rowid, tier, score in rows}
        ids = list(ranks)
        docs = {
            r[0]: r[1:]
            for r in conn.execute(
                f"SELECT rowid, {HIT_COLUMNS} FROM docs WHERE rowid IN ({_placeholders(ids)})", ids
            )
        }
        for rowid in ids:
            tier, score = ranks[rowid]
            hits.append(RawHit(*docs[rowid], tier=tier, score=score))

    facet_counts = _facet_counts(conn, source, params, plan)
    cross = []
    if plan.has_text:
        cross = [
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT language FROM ({filtered}) WHERE tier % 2 = 1 ORDER BY language",
                args,
            )
        ]
    return RawResults(hits=hits, total=total, facet_counts=facet_counts, cross_languages=cross)


def _facet_counts(conn, source, params, plan):
    counts = {facet: {} for facet in plan.facets}
    plain = [f for f in plan.facets if not plan.filters.get(f)]
    groups = [(plain, None)] + [([f], f) for f in plan.facets if plan.filters.get(f)]
    for facets, skip in groups:
        if not facets:
            continue
        filtered, args = _filtered(source, params, plan, skip=skip)
        rows = conn.execute(
            f"SELECT f.facet, f.value, COUNT(DISTINCT s.tk) FROM ({filtered}) AS s"
            f" JOIN facets f ON f.doc = s.rowid WHERE f.facet IN ({_placeholders(facets)})"
            " GROUP BY f.facet, f.value",
            [*args, *facets],
        )
        for facet, value, count in rows:
            counts[facet][value] = count
    return counts


def suggest(conn, prefix_tokens, visibility, limit):
    """Titles and themes whose words start with what the user typed."""
    if not prefix_tokens:
        return []
    *complete, last = prefix_tokens
    expression = " ".join([*(quote(t) for t in complete), quote(last) + "*"])
    visibility = list(visibility)
    rows = conn.execute(
        "SELECT text, kind, language, url FROM suggest_fts WHERE suggest_fts MATCH ?"
        f" AND visibility IN ({_placeholders(visibility)}) ORDER BY rank LIMIT ?",
        [expression, *visibility, limit * 3],
    ).fetchall()
    seen, results = set(), []
    for text, kind, language, url in rows:
        if text.casefold() in seen:
            continue
        seen.add(text.casefold())
        results.append({"text": text, "kind": kind, "language": language, "url": url or None})
    return results[:limit]
