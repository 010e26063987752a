"""Benchmark of search, KX's search service against Wagtail's database backend:
`python -m bench.search`.

For each size of --sizes (default 10,000 and 100,000 practices), on a throwaway SQLite
database:

1. bench.generate writes N published practices (about 10 % with a translation), their
   texts new paragraphs of real Arabic, English, French or Spanish sentences of two demo
   practices of their language, shuffled (PracticeGenerator(texts="mixed")), their
   pillars, regions, countries, themes and evidence stages drawn at random;
2. both indexes are built from scratch and timed (wall time, documents per second):
   KX's embedded index, `EmbeddedIndex(path).rebuild(DOCUMENTS.values())` (the database
   reads, PracticeDocument.prepare(), the analysis and the writes), and Wagtail's
   database search index (SQLite FTS5), `get_search_backend().add_bulk(GoodPracticePage,
   chunk)` over chunks of 1,000 pages in one transaction, what `update_index` does for
   the model;
3. three searches are timed in-process, --requests times each after --warmup untimed
   ones, rotating through several queries:
   (a) one word, in each of the four languages, first page of 10 hits and the total;
   (b) three words with two filters (pillar, region) and seven facets (type, pillar,
       region, country, theme, lang, stage), first page and total;
   (c) an Arabic term that KX carries to English, French and Spanish documents through
       its glossary (Wagtail has no such expansion: it runs the plain Arabic query);
   on KX's search service, `search.service.search(SearchRequest(...))`, embedded
   backend, and on Wagtail's backend doing the same work with the ORM (see
   `WagtailSearch`); and on KX's service with the fixes proposed for its SQL,
   patched into the statements by the benchmark (`PROPOSED_FIXES`, --no-fix-preview to
   skip). Slow searches are timed fewer times (--budget) and interrupted after
   --timeout seconds;
4. a markdown table, the speed-up of KX over Wagtail for (b) and the verdict on the
   targets at the largest size: (b) p95 <= 50 ms and at least 5x faster than Wagtail,
   index build >= 2,000 documents/s.

--profile (automatic when a target is missed) breaks KX's index build down by stage and
KX's searches down by SQL statement, with SQLite's EXPLAIN QUERY PLAN of the slowest.
"""

import argparse
import math
import os
import sqlite3
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from statistics import mean

from bench import common

DEFAULT_SIZES = (10_000, 100_000)
TARGET_P95_MS = 50.0
TARGET_SPEEDUP = 5.0
TARGET_BUILD_RATE = 2_000.0  # documents per second
WAGTAIL_CHUNK = 1_000  # update_index's default chunk size
PROFILE_DOCS = 5_000  # practices whose build is broken down by stage (--profile)
PROFILE_RUNS = 20  # runs of each search broken down by statement (--profile)

# (a) One word in each language. Several are glossary concepts (youth, jeunes, jóvenes,
# الإرهاب, الشباب): KX looks for them in every language, as a user's query would.
ONE_WORD = [
    ("prison", "en"),
    ("youth", "en"),
    ("extrémisme", "fr"),
    ("jeunes", "fr"),
    ("jóvenes", "es"),
    ("reintegración", "es"),
    ("الإرهاب", "ar"),
    ("الشباب", "ar"),
]
# (b) Three words, two filters (pillar, region), the facets of the search page.
FILTERED = [
    ("prison youth reintegration", "en", "1", "africa"),
    ("jeunes prison réinsertion", "fr", "1", "africa"),
    ("jóvenes cárcel reintegración", "es", "2", "latin-america-caribbean"),
    ("الشباب السجون الإدماج", "ar", "1", "arab-states"),
    ("community policing youth", "en", "2", "asia-pacific"),
    ("radicalisation prison réinsertion", "fr", "3", "africa"),
    ("violencia jóvenes prevención", "es", "1", "africa"),
    ("التطرف العنيف الشباب", "ar", "4", "arab-states"),
]
FILTERED_FACETS = ["type", "pillar", "region", "country", "theme", "lang", "stage"]
# (c) Arabic glossary terms: KX also finds the English, French and Spanish practices.
ARABIC = [
    "التطرف العنيف",
    "مكافحة الإرهاب",
    "إعادة الإدماج",
    "التماسك الاجتماعي",
    "الشرطة المجتمعية",
    "الجماعات الإرهابية",
]

SCENARIOS = {
    "a": "(a) one word",
    "b": "(b) 3 words + 2 filters + 7 facets",
    "c": "(c) Arabic, cross-language",
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: sorted({int(x) for x in s.split(",") if x.strip()}),
        default=list(DEFAULT_SIZES),
        help="comma-separated numbers of practices (default 10000,100000)",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed searches per case")
    parser.add_argument("--warmup", type=int, default=10, help="untimed searches first")
    parser.add_argument(
        "--budget",
        type=float,
        default=30.0,
        help="seconds for the timed searches of one case on one backend: when searches are "
        f"so slow that --requests would not fit, fewer are timed (at least {MIN_TIMED}) and "
        "the table says how many (default 30)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds after which a search is interrupted; the case then stops and its "
        "cell says `> N (timed out)` (default 30)",
    )
    parser.add_argument(
        "--no-fix-preview",
        dest="fix_preview",
        action="store_false",
        help="do not time KX with the fix proposed for its text match (patched in the "
        "benchmark only)",
    )
    parser.add_argument("--seed", type=int, default=20_250_601, help="random seed of the data")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="always break the index build and the searches down (stages, SQL statements)",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the temporary database")
    args = parser.parse_args(argv)
    if not args.sizes or min(args.sizes) < 1:
        parser.error("sizes must be positive integers")
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be at least 1 and --warmup at least 0")
    return args


# --- the cases -----------------------------------------------------------------------
@dataclass
class Case:
    scenario: str  # a, b or c
    text: str
    language: str
    filters: dict = field(default_factory=dict)  # {facet: [values]}
    facets: list = field(default_factory=list)

    @property
    def label(self):
        filters = " ".join(f"{k}={','.join(v)}" for k, v in self.filters.items())
        return f"{self.text} [{self.language}]" + (f" {filters}" if filters else "")


def cases():
    return {
        "a": [Case("a", text, language) for text, language in ONE_WORD],
        "b": [
            Case(
                "b",
                text,
                language,
                filters={"pillar": [pillar], "region": [region]},
                facets=list(FILTERED_FACETS),
            )
            for text, language, pillar, region in FILTERED
        ],
        "c": [Case("c", text, "ar") for text in ARABIC],
    }


# --- KX ------------------------------------------------------------------------------
# Fixes proposed for the embedded backend (search/backends/embedded_query.py), each an
# (old, new) rewrite of its SQL that the preview row applies on the way to SQLite, so
# their effect is measured without changing the application. A rewrite whose old text
# the backend no longer sends (the fix was made) is dropped; with none left there is no
# preview row.
PROPOSED_FIXES = [
    # _load_matches(): SQLite's planner, without statistics, put the FTS5 table inside
    # the join and ran the MATCH once per document (`SEARCH d USING INDEX docs_published
    # (visibility=?)` then `SCAN docs_fts VIRTUAL TABLE INDEX 0:=M4`). Made in 96a062e.
    ("FROM docs_fts JOIN docs d ON", "FROM docs_fts CROSS JOIN docs d ON"),
    # _facet_counts(): the same planner chose `SEARCH f USING PRIMARY KEY (facet=?)` as
    # the outer loop, i.e. every facet row of every document for the counted facets,
    # each probed in the matches; the CROSS JOIN walks the matches and reads their facet
    # rows through facets_doc (`SEARCH f USING COVERING INDEX facets_doc (doc=? AND
    # facet=?)`).
    (") AS s JOIN facets f ON f.doc = s.rowid", ") AS s CROSS JOIN facets f ON f.doc = s.rowid"),
]


def applicable_fixes(probe_case, timeout_s):
    """The PROPOSED_FIXES whose old SQL the embedded backend still sends, as seen in one
    search of `probe_case` (one with filters and facets runs every kind of statement)."""
    engine = KXSearch()
    with deadline(engine.connections(), timeout_s):
        engine(probe_case, count=True)
    sent = engine.proxy.sent
    return [(old, new) for old, new in PROPOSED_FIXES if any(old in sql for sql in sent)]


def describe_fixes(fixes):
    return "; ".join(f"`{old}` → `{new}`" for old, new in fixes)


def rewrite(sql, fixes):
    """(sql with the fixes applied, how many applied)."""
    applied = 0
    for old, new in fixes:
        if old in sql:
            sql = sql.replace(old, new)
            applied += 1
    return sql, applied


class ProxyConnection:
    """A sqlite3 connection for embedded_query.run(): counts the statements it is
    given and rewrites them first with `fixes` [(old, new)]."""

    def __init__(self, conn, fixes=()):
        self.conn = conn
        self.fixes = fixes
        self.count = 0
        self.rewritten = 0
        self.sent = []  # the statements as the backend sent them

    def execute(self, sql, params=()):
        self.count += 1
        self.sent.append(sql)
        if self.fixes:
            sql, applied = rewrite(sql, self.fixes)
            self.rewritten += bool(applied)
        return self.conn.execute(sql, params)


class KXSearch:
    """KX's search service, as the search page calls it (embedded backend).

    With `fixes` [(old, new)], the embedded backend's statements are rewritten on their
    way to SQLite: the benchmark's preview of fixes, no change to the application.
    """

    def __init__(self, fixes=()):
        self.fixes = list(fixes)
        self.name = "KX + proposed fix (preview)" if self.fixes else "KX (embedded)"
        self.proxy = None  # the ProxyConnection of the last search, when one was used

    def __call__(self, case, count=False):
        from search.backends.embedded import get_index
        from search.backends.embedded_query import run
        from search.service import SearchRequest, search

        index = get_index()
        if self.fixes or count:

            def through_proxy(plan):
                self.proxy = ProxyConnection(index.conn, self.fixes)
                return run(self.proxy, plan, str(index.path))

            index.search = through_proxy
        try:
            results = search(
                SearchRequest(
                    text=case.text,
                    language=case.language,
                    filters=case.filters,
                    facets=case.facets,
                )
            )
        finally:
            index.__dict__.pop("search", None)
        if results.backend != "embedded":
            raise AssertionError(f"searched {results.backend}, not the embedded index")
        titles = [hit.title for hit in results.hits]
        statements = self.proxy.count if count else None
        return results.total, titles, results.facets, statements

    def connections(self):
        from search.backends.embedded import get_index

        return [get_index().conn]

    def rewrites(self, case):
        """Whether the fixes change any statement of this case's search (one search)."""
        with deadline(self.connections(), 60):
            self(case, count=True)
        return bool(self.proxy and self.proxy.rewritten)


def build_kx():
    """Rebuild the embedded index the service reads; (documents, seconds)."""
    from practices.models import GoodPracticePage
    from search.backends.embedded import EmbeddedIndex, get_index, index_path
    from search.documents import DOCUMENTS

    path = index_path()
    with common.Stopwatch() as watch:
        documents = EmbeddedIndex(path).rebuild(DOCUMENTS.values())
    pages = GoodPracticePage.objects.live().count()
    counts = get_index().counts()
    if counts.get("practice") != pages or documents != sum(counts.values()):
        raise AssertionError(f"the index holds {counts}, expected {pages} practice pages")
    return documents, watch.seconds


# --- Wagtail -------------------------------------------------------------------------
class WagtailSearch:
    """Wagtail's database search backend (SQLite FTS5) doing the work of each case.

    * Text: `GoodPracticePage.objects.live().search(text, operator=...)`, Wagtail's
      default operator ("and") for (a) and (c); "or" for (b), as KX's service matches
      any word (ranking full matches first). The first page is `results[:10]` (page
      objects, their titles read), the total `results.count()`.
    * Filters: the M2M filters are `id__in` subqueries on the queryset given to
      search(); `id` is one of Page's FilterFields, so Wagtail accepts them without any
      change to GoodPracticePage.search_fields.
    * Facets, with the same meaning as KX's: a facet that is filtered on is counted
      without its own filter (so the other values are offered), the others with every
      filter. `lang` is Wagtail's own `results.facet("locale_id")` (locale is a
      FilterField); the others are not FilterFields (the backend's facet() only groups
      by a column of the model), so they are counted in the ORM over the queryset of
      the matching pages, `results.get_queryset()` of an unranked search
      (order_by_relevance=False), which is exactly the queryset facet() groups: one
      GROUP BY per facet. `type` is the total (practices are the only type).
    * Counts are of pages: a practice and its translation both count (KX counts the
      practice once); this is less work than KX's de-duplication.
    """

    name = "Wagtail (database)"

    def __init__(self):
        from kx_platform.models import Pillar, Region
        from practices.models import GoodPracticePage

        self.model = GoodPracticePage
        through_pillar = GoodPracticePage.pillars.through.objects
        through_region = GoodPracticePage.regions.through.objects
        self.filter_subqueries = {
            "pillar": lambda values: through_pillar.filter(
                pillar__in=Pillar.objects.filter(number__in=values)
            ).values("goodpracticepage_id"),
            "region": lambda values: through_region.filter(
                region__in=Region.objects.filter(slug__in=values)
            ).values("goodpracticepage_id"),
        }
        # Facet values as KX names them (lookup over the matching pages).
        self.facet_lookups = {
            "pillar": "pillars__number",
            "region": "regions__slug",
            "country": "countries__code",
            "theme": "theme_items__tag__slug",
            "stage": "evidence_stage",
        }
        from wagtail.models import Locale

        self.languages = dict(Locale.objects.values_list("pk", "language_code"))

    def connections(self):
        from django.db import connection

        connection.ensure_connection()
        return [connection.connection]

    def queryset(self, filters, skip=None):
        qs = self.model.objects.live()
        for facet, values in filters.items():
            if values and facet != skip:
                qs = qs.filter(id__in=self.filter_subqueries[facet](values))
        return qs

    def __call__(self, case, count=False):
        if count:
            with common.QueryRecorder() as recorder:
                total, titles, facets, _none = self(case)
            return total, titles, facets, recorder.count
        operator = "or" if case.scenario == "b" else "and"
        results = self.queryset(case.filters).search(case.text, operator=operator)
        titles = [page.title for page in results[:10]]
        total = results.count()
        facets = {}
        for facet in case.facets:
            facets[facet] = self.facet(facet, case, results, total, operator)
        return total, titles, facets, None

    def facet(self, facet, case, results, total, operator):
        from django.db.models import Count

        if facet == "type":
            return {"practice": total} if total else {}
        if facet == "lang":
            counts = results.facet("locale_id")
            return {self.languages[pk]: n for pk, n in counts.items()}
        skip = facet if case.filters.get(facet) else None
        matching = (
            self.queryset(case.filters, skip=skip)
            .search(case.text, operator=operator, order_by_relevance=False)
            .get_queryset()
        )
        lookup = self.facet_lookups[facet]
        rows = matching.order_by().values(lookup).annotate(n=Count("pk")).values_list(lookup, "n")
        return {str(value): n for value, n in rows if value is not None}


def build_wagtail():
    """Index every practice page in Wagtail's search index; (documents, seconds).

    The index is emptied first (untimed). Chunks of 1,000 pages by primary key (keyset,
    not OFFSET), each given to backend.add_bulk(), in one transaction: what update_index
    does for GoodPracticePage, minus its OFFSET pagination.
    """
    from django.db import transaction
    from wagtail.search.backends import get_search_backend

    from practices.models import GoodPracticePage

    backend = get_search_backend()
    backend.reset_indexes()
    queryset = GoodPracticePage.get_indexed_objects().order_by("pk")
    documents = 0
    with common.Stopwatch() as watch, transaction.atomic():
        last = 0
        while True:
            chunk = list(queryset.filter(pk__gt=last)[:WAGTAIL_CHUNK])
            if not chunk:
                break
            backend.add_bulk(GoodPracticePage, chunk)
            documents += len(chunk)
            last = chunk[-1].pk
    return documents, watch.seconds


# --- measuring -----------------------------------------------------------------------
class SearchTimeout(Exception):
    pass


@contextmanager
def deadline(connections, seconds):
    """Interrupt the statements running on these sqlite3 connections after `seconds`
    (sqlite3.Connection.interrupt(), from a timer thread); raise SearchTimeout then."""
    from django.db import OperationalError as DjangoOperationalError

    fired = []

    def interrupt():
        fired.append(True)
        for conn in connections:
            conn.interrupt()

    timer = threading.Timer(seconds, interrupt)
    timer.start()
    try:
        yield
    except (sqlite3.OperationalError, DjangoOperationalError) as error:
        if fired:
            raise SearchTimeout(f"interrupted after {seconds:g} s") from error
        raise
    finally:
        timer.cancel()


def percentile(values, p):
    """common.percentile() where a value may be infinite (a search that timed out)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    a, b = ordered[low], ordered[high]
    if math.isinf(b):
        return a if rank == low else math.inf
    return a + (b - a) * (rank - low)


@dataclass
class Timing:
    times_ms: list = field(default_factory=list)  # completed searches
    timeouts: int = 0  # searches interrupted after --timeout seconds
    totals: dict = field(default_factory=dict)  # case label -> total
    statements: dict = field(default_factory=dict)  # case label -> SQL statements
    planned: int = 0  # timed searches asked for

    @property
    def values(self):
        return self.times_ms + [math.inf] * self.timeouts

    @property
    def p50(self):
        return percentile(self.values, 50)

    @property
    def p95(self):
        return percentile(self.values, 95)

    @property
    def count(self):
        return len(self.times_ms) + self.timeouts

    @property
    def truncated(self):
        return self.count < self.planned

    def statements_label(self):
        values = sorted(set(v for v in self.statements.values() if v is not None))
        if not values:
            return "?"
        return str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}"


MIN_TIMED = 2  # timed searches at least, whatever the budget
SLOW_S = 1.0  # a search this slow needs no warm-up (and its first run is timed)


def check_facets(engine, case, total, facets):
    """A filtered facet is counted without its own filter: the count of the filtered
    value is then the total of the search, with every filter. Every facet is there."""
    missing = set(case.facets) - set(facets)
    if missing:
        raise AssertionError(f"{engine.name}, {case.label}: no counts for {sorted(missing)}")
    for facet, values in case.filters.items():
        if len(values) == 1 and facet in case.facets:
            counted = facets[facet].get(values[0], 0)
            if counted != total:
                raise AssertionError(
                    f"{engine.name}, {case.label}: {facet}={values[0]} counts {counted}, "
                    f"the search found {total}"
                )


def measure(engine, case_list, *, requests, warmup, budget_s, timeout_s):
    """Time engine(case) over the cases in turn: `warmup` untimed, `requests` timed.

    The first search of each query counts its SQL statements, untimed. When searches
    are slow, fewer are run: if one of those takes more than SLOW_S seconds, they were
    the warm-up and are timed too; timing stops after `budget_s` seconds once MIN_TIMED
    searches were timed (the table then gives their number), and at the first search
    interrupted after `timeout_s` seconds (the cell then says `> timeout`).
    """
    timing = Timing(planned=requests)

    def one(case, count=False):
        with deadline(engine.connections(), timeout_s):
            start = time.perf_counter()
            total, _titles, facets, statements = engine(case, count=count)
            elapsed = time.perf_counter() - start
        timing.totals[case.label] = total
        if count:
            timing.statements[case.label] = statements
            check_facets(engine, case, total, facets)
        return elapsed

    try:
        measure_started = time.perf_counter()
        first_ms = []
        for case in case_list:
            first_ms.append(one(case, count=True) * 1000)
            if time.perf_counter() - measure_started > budget_s / 4:
                break  # so slow that the first queries tell enough
        started, offset = time.perf_counter(), warmup
        if max(first_ms) > SLOW_S * 1000:
            timing.times_ms.extend(first_ms)  # they count against the budget too
            started, warmup, offset = measure_started, 0, len(first_ms)
        warmup_started = time.perf_counter()
        for i in range(warmup):
            if (
                one(case_list[i % len(case_list)]) > SLOW_S
                or time.perf_counter() - warmup_started > budget_s / 4
            ):
                break
        if warmup:
            started = time.perf_counter()
        for i in range(requests - len(timing.times_ms)):
            case = case_list[(offset + i) % len(case_list)]
            timing.times_ms.append(one(case) * 1000)
            if len(timing.times_ms) >= MIN_TIMED and time.perf_counter() - started > budget_s:
                break
    except SearchTimeout:
        timing.timeouts += 1
    return timing


# --- profile -------------------------------------------------------------------------
class TimedConnection:
    """A sqlite3 connection whose execute() runs each statement to completion and
    times it, per statement text; for breaking a search down by statement. With
    `fixes` [(old, new)], statements are rewritten first, as KXSearch(fixes) does."""

    def __init__(self, conn, fixes=()):
        self.conn = conn
        self.fixes = fixes
        self.by_sql = defaultdict(lambda: [0, 0.0])
        self.params = {}
        self.interrupted = set()

    def execute(self, sql, params=()):
        sql, _applied = rewrite(sql, self.fixes)
        self.params.setdefault(sql, params)
        start = time.perf_counter()
        try:
            rows = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            self.interrupted.add(sql)
            raise
        finally:
            entry = self.by_sql[sql]
            entry[0] += 1
            entry[1] += time.perf_counter() - start
        return _Rows(rows)


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchall(self):
        return self.rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def __iter__(self):
        return iter(self.rows)


def capture_plans(case_list):
    """The SearchPlan the service hands the embedded backend for each case (the
    backend is not run: it answers with no results)."""
    from search.backends.embedded import get_index
    from search.plan import RawResults
    from search.service import SearchRequest, search

    index = get_index()
    plans = []

    def spy(plan):
        plans.append(plan)
        return RawResults(hits=[], total=0, facet_counts={}, cross_languages=[])

    index.search = spy
    try:
        for case in case_list:
            search(
                SearchRequest(
                    text=case.text,
                    language=case.language,
                    filters=case.filters,
                    facets=case.facets,
                )
            )
    finally:
        index.__dict__.pop("search", None)
    return plans


def profile_searches(
    case_sets, fixes=(), runs=PROFILE_RUNS, budget_s=15.0, timeout_s=30.0, explain_top=2
):
    """Per statement of the embedded backend: runs per search, ms per search; the plan
    of the slowest. Every query of a case `runs` times, or fewer when that takes more
    than `budget_s` seconds (one search at least), a search interrupted after
    `timeout_s` seconds ending the case."""
    from search.backends.embedded import get_index
    from search.backends.embedded_query import run

    conn = get_index().conn
    for key, case_list in case_sets.items():
        if fixes and not KXSearch(fixes).rewrites(case_list[0]):
            print(f"#### {SCENARIOS[key]}: no statement changes\n")
            continue
        plans = capture_plans(case_list)
        timed = TimedConnection(conn, fixes)
        searches = 0
        started = time.perf_counter()
        try:
            for _ in range(runs):
                for plan in plans:
                    searches += 1
                    with deadline([conn], timeout_s):
                        run(timed, plan, str(get_index().path))
                    if time.perf_counter() - started > budget_s:
                        raise StopIteration
        except (StopIteration, SearchTimeout):
            pass
        total_ms = sum(s for _n, s in timed.by_sql.values()) * 1000 / searches
        interrupted = f", interrupted after {timeout_s:g} s" if timed.interrupted else ""
        print(
            f"#### {SCENARIOS[key]}: {total_ms:,.1f} ms of SQL per search "
            f"({searches} search{'es' if searches > 1 else ''}{interrupted})\n"
        )
        ranked = sorted(timed.by_sql.items(), key=lambda item: item[1][1], reverse=True)
        rows = [
            [
                rank,
                f"{n / searches:.1f}",
                common.ms(seconds * 1000 / searches)
                + (" (interrupted)" if sql in timed.interrupted else ""),
                _summary(sql),
            ]
            for rank, (sql, (n, seconds)) in enumerate(ranked, start=1)
        ]
        print(
            common.markdown_table(
                ["#", "Runs/search", "ms/search", "Statement"], rows, align="rrrl"
            )
        )
        print()
        for rank, (sql, _stats) in enumerate(ranked[:explain_top], start=1):
            params = timed.params[sql]
            print(f"#{rank}:\n```sql\n{sql}\n```\nparams: `{_params_summary(params)}`\n")
            try:
                plan = _explain(conn, sql, params)
                print("EXPLAIN QUERY PLAN:\n```\n" + "\n".join(plan) + "\n```\n")
            except Exception as error:  # noqa: BLE001 - a plan is a nice-to-have
                print(f"(no plan: {error})\n")


def _explain(conn, sql, params):
    rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    depth = {0: 0}
    lines = []
    for node_id, parent, _notused, detail in rows:
        depth[node_id] = depth.get(parent, 0) + 1
        lines.append("  " * (depth[node_id] - 1) + detail)
    return lines


def _summary(sql, width=110):
    flat = " ".join(sql.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _params_summary(params, width=160):
    text = repr(list(params))
    return text if len(text) <= width else text[: width - 1] + "…"


def profile_build(limit=PROFILE_DOCS):
    """EmbeddedIndex.rebuild() of the first `limit` practices into a scratch file, in one
    process (workers=1), with timers around the functions it calls; (documents, {stage:
    seconds})."""
    import shutil
    import tempfile
    from pathlib import Path

    from search import documents as documents_module
    from search.backends import embedded
    from search.backends.embedded import EmbeddedIndex
    from search.documents import DOCUMENTS, PracticeDocument

    pks = PracticeDocument.get_queryset().values_list("pk", flat=True)
    cutoff = pks[min(limit, pks.count()) - 1]

    class Sample(PracticeDocument):
        @classmethod
        def get_queryset(cls):
            return super().get_queryset().filter(pk__lte=cutoff)

    seconds = defaultdict(float)

    def timer(name, fn):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - start

        return timed

    scratch = Path(tempfile.mkdtemp(prefix="kx-bench-profile-"))
    index = EmbeddedIndex(scratch / "index.sqlite3")
    page_urls = documents_module.PageUrls.__call__
    patches = [
        (embedded, "analyze_tagged", timer("analysis", embedded.analyze_tagged)),
        (embedded, "analyze_standard", timer("analysis", embedded.analyze_standard)),
        (embedded, "insert_rows", timer("writes", embedded.insert_rows)),
        (documents_module, "plain_text", timer("plain_text", documents_module.plain_text)),
        (documents_module, "stream_text", timer("stream_text", documents_module.stream_text)),
        (documents_module.PageUrls, "__call__", timer("urls", page_urls)),
        (Sample, "prepare_batch", timer("prepare", Sample.prepare_batch)),
        (DOCUMENTS, None, None),
    ]
    saved = [(owner, name, owner.__dict__.get(name)) for owner, name, _fn in patches if name]
    for owner, name, fn in patches:
        if name:
            setattr(owner, name, fn)
    DOCUMENTS["practice"] = Sample  # the batches look their document class up here
    try:
        start = time.perf_counter()
        n = index.rebuild([Sample], workers=1)
        seconds["rebuild"] = time.perf_counter() - start
    finally:
        DOCUMENTS["practice"] = PracticeDocument
        for owner, name, original in saved:
            if original is None:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        shutil.rmtree(scratch, ignore_errors=True)
    stages = {
        "whole rebuild()": seconds["rebuild"],
        "listing, optimize, ANALYZE, the rest": seconds["rebuild"]
        - seconds["prepare"]
        - seconds["analysis"]
        - seconds["writes"],
        "PracticeDocument.prepare_batch() (column values, 4 queries a batch)": seconds["prepare"],
        "  of which plain_text()": seconds["plain_text"],
        "  of which stream_text()": seconds["stream_text"],
        "  of which PageUrls()": seconds["urls"],
        "analysis (analyze_tagged, analyze_standard)": seconds["analysis"],
        "SQLite writes (insert_rows)": seconds["writes"],
    }
    return n, stages


def print_build_profile(n, stages):
    print(f"### KX index build, stage by stage ({n:,} documents)\n")
    rows = [[name, f"{value:.2f}", f"{value * 1000 / n:.3f}"] for name, value in stages.items()]
    print(common.markdown_table(["Stage", "s", "ms/document"], rows, align="lrr"))
    rate = n / stages["whole rebuild()"]
    print(
        f"\n= {rate:,.0f} documents/s in one process (timers add about 1 µs a call; "
        "rebuild() runs the reading, preparing and analysis in worker processes). "
        "Functions are timed where rebuild() calls them; the second row is the rest.\n"
    )


# --- report --------------------------------------------------------------------------
def fmt_ms(value, timeout_s):
    return common.ms(value) if math.isfinite(value) else f"> {timeout_s * 1000:,.0f}"


def cell(timing, timeout_s):
    if timing is None:
        return "= KX"
    text = f"{fmt_ms(timing.p50, timeout_s)} / {fmt_ms(timing.p95, timeout_s)}"
    notes = []
    if timing.truncated:
        notes.append(f"n={timing.count}")
    if timing.timeouts:
        notes.append("timed out")
    return text + (f" ({', '.join(notes)})" if notes else "")


def mean_hits(timing):
    """Mean total over the queries that ran to the end ("–" when none did)."""
    if not timing.totals:
        return "–"
    return f"{mean(timing.totals.values()):,.0f}"


def speedup(kx, wagtail, p, timeout_s):
    """(text, value or None): how many times faster KX is at percentile p; a lower
    bound when Wagtail timed out, None when KX did."""
    k, w = percentile(kx.values, p), percentile(wagtail.values, p)
    if not math.isfinite(k):
        return "not measured (KX timed out)", None
    if not math.isfinite(w):
        bound = timeout_s * 1000 / k
        return f"≥ {bound:,.0f}× (Wagtail timed out)", bound
    return f"{w / k:,.1f}×", w / k


ENGINE_ORDER = ("kx", "kx_fix", "wagtail")


def print_report(args, runs):
    largest = max(runs)
    print("## Search: KX's search service (embedded index) and Wagtail's database backend\n")
    print("\n".join(common.environment_lines()))
    steal = cpu_steal_share(args.cpu_times)
    print(
        "- Load average (1, 5, 15 min) at the start and at the end: "
        + " and ".join(", ".join(f"{v:.2f}" for v in load) for load in args.loads)
        + (f"; CPU time stolen by the hypervisor during the run: {steal:.0%}" if steal else "")
        + " (other processes and virtual machines on this host slow the timings down)"
    )
    print(
        f"- {args.requests} timed searches per case after {args.warmup} warm-up searches, "
        f"in-process (no HTTP), rotating through {len(ONE_WORD)} / {len(FILTERED)} / "
        f"{len(ARABIC)} queries for (a) / (b) / (c); the index files and the database warm "
        "in SQLite's page cache. Slow searches are timed fewer times: about "
        f"{args.budget:.0f} s per case and backend, at least {MIN_TIMED} searches (n = the "
        f"number timed); a search is interrupted after {args.timeout:.0f} s, which ends "
        "its case (`> N`, timed out)"
    )
    for size, run in runs.items():
        print(
            f"- {size:,} practices = {run['pages']:,} published pages "
            f"({run['pages'] - size:,} translations; {run['languages']}); generated in "
            f"{run['generate_s']:.1f} s"
        )
    print()
    headers = [
        "Practices",
        "Backend",
        "Build docs/s",
        "(a) p50 / p95 ms",
        "(b) p50 / p95 ms",
        "(c) p50 / p95 ms",
    ]
    rows = []
    for size, run in runs.items():
        for key in ENGINE_ORDER:
            if key not in run:
                continue
            result = run[key]
            documents, seconds = result["build"]
            build = f"{documents / seconds:,.0f} ({seconds:.1f} s)"
            if key == "kx_fix":
                build = "(same index)"
            t = args.timeout
            c_cell = cell(result["c"], t) + (" †" if key == "wagtail" else "")
            rows.append(
                [
                    f"{size:,}",
                    result["name"],
                    build,
                    cell(result["a"], t),
                    cell(result["b"], t),
                    c_cell,
                ]
            )
    print(common.markdown_table(headers, rows, align="llrrrr"))
    print(
        "\n† Wagtail has no cross-language expansion: it runs the plain Arabic query and "
        "finds Arabic pages only (KX: Arabic, English, French and Spanish ones)."
    )
    if args.fixes:
        print(
            '\n"KX + proposed fix (preview)" is KX\'s service with the change proposed for '
            "search/backends/embedded_query.py, "
            + describe_fixes(args.fixes)
            + ", applied by the benchmark to the statements on their way to SQLite (the "
            "application is unchanged); `= KX`: no statement of the case changes."
        )
    print()
    for size, run in runs.items():
        for key in ("kx", "kx_fix"):
            if key in run and run[key]["b"] is not None:
                b, wagtail_b = run[key]["b"], run["wagtail"]["b"]
                at95, _value = speedup(b, wagtail_b, 95, args.timeout)
                at50, _value = speedup(b, wagtail_b, 50, args.timeout)
                print(
                    f"- Speed-up of {run[key]['name']} over Wagtail for (b) at {size:,} "
                    f"practices: {at95} at p95, {at50} at p50"
                )
    print()
    print("Hits per search (mean over the queries of each case) and SQL statements per search:\n")
    headers = [
        "Practices",
        "Case",
        "KX hits",
        "Wagtail hits",
        "KX statements",
        "Wagtail statements",
    ]
    rows = []
    for size, run in runs.items():
        for key, label in SCENARIOS.items():
            kx, wagtail = run["kx"][key], run["wagtail"][key]
            fixed = run.get("kx_fix", {}).get(key)
            if fixed is not None:  # the same results and statements, whichever finished
                kx = Timing(
                    totals={**kx.totals, **fixed.totals},
                    statements={**kx.statements, **fixed.statements},
                )
            rows.append(
                [
                    f"{size:,}",
                    label,
                    mean_hits(kx),
                    mean_hits(wagtail),
                    kx.statements_label(),
                    wagtail.statements_label(),
                ]
            )
    print(common.markdown_table(headers, rows, align="llrrrr"))
    print(
        "\nKX hits are practices (a practice and its translation count once; KX as it is "
        "and with the proposed fix find the same), Wagtail's are pages. The two do not "
        "analyse text alike: KX stems each language, "
        "normalises Arabic, expands glossary terms to the other languages and indexes the "
        "whole practice (title, summary, challenge, approach, results, lessons, "
        "replicability, human rights, themes); Wagtail's FTS5 matches exact words (accents "
        "folded) of the fields GoodPracticePage.search_fields lists (title, summary, "
        "challenge). (a), (c): the first page (KX: highlighted titles and snippets) and the "
        "total, no facets; (b): the same and 7 facets. Wagtail: see `WagtailSearch` in "
        'bench/search.py (operator "or" for (b), as KX matches any word and ranks full '
        "matches first; facets counted as KX counts them, a filtered facet without its own "
        "filter). Statements: what the backend sends to SQLite (KX: to its index file; "
        "Wagtail: Django queries).\n"
    )
    return print_targets(runs[largest], largest, args.timeout)


def print_targets(run, size, timeout_s):
    wagtail_b = run["wagtail"]["b"]
    documents, seconds = run["kx"]["build"]
    rate = documents / seconds
    print(f"Targets at {size:,} practices:\n")
    verdicts = []
    for key in ("kx", "kx_fix"):
        if key not in run or run[key]["b"] is None:
            continue
        b = run[key]["b"]
        text, times = speedup(b, wagtail_b, 95, timeout_s)
        checks = [
            (
                f"(b) p95 ≤ {TARGET_P95_MS:.0f} ms",
                f"{fmt_ms(b.p95, timeout_s)} ms",
                b.p95 <= TARGET_P95_MS,
            ),
            (
                f"(b) at least {TARGET_SPEEDUP:.0f}× faster than Wagtail's backend (p95)",
                text,
                times is not None and times >= TARGET_SPEEDUP,
            ),
        ]
        if key == "kx":
            checks.append(
                (
                    f"index build ≥ {TARGET_BUILD_RATE:,.0f} documents/s",
                    f"{rate:,.0f} documents/s",
                    rate >= TARGET_BUILD_RATE,
                )
            )
        for label, value, ok in checks:
            print(f"- {run[key]['name']}: {label}: {value}, {'met' if ok else 'MISSED'}")
        if key == "kx":
            verdicts = [ok for _l, _v, ok in checks]
    if size < 100_000:
        print(f"- (the targets are set for 100,000 practices; the largest size here is {size:,})")
    wagtail_docs, wagtail_s = run["wagtail"]["build"]
    print(
        f"- For comparison, Wagtail's index build: {wagtail_docs / wagtail_s:,.0f} "
        f"documents/s ({wagtail_s:.1f} s)"
    )
    return all(verdicts)


def cpu_times():
    """The machine's CPU time counters (/proc/stat, Linux), or None."""
    try:
        with open("/proc/stat") as stat:
            return [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None


def cpu_steal_share(samples):
    """The share of CPU time stolen by the hypervisor between two cpu_times()."""
    first, last = samples[0], samples[-1]
    if not first or not last or len(first) < 8:
        return None
    delta = [b - a for a, b in zip(first, last, strict=False)]
    total = sum(delta[:8])  # user nice system idle iowait irq softirq steal
    return delta[7] / total if total else None


# --- main ----------------------------------------------------------------------------
def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    args.loads = [os.getloadavg()]
    args.cpu_times = [cpu_times()]
    workdir = common.setup_django(keep=args.keep_db)
    args.fixes = None  # known after the first index build

    from collections import Counter

    from bench.generate import PracticeGenerator
    from practices.models import GoodPracticePage

    generator = PracticeGenerator(seed=args.seed, texts="mixed")
    case_sets = cases()
    runs = {}
    for size in args.sizes:
        note = f"… {size:,} practices"
        print(f"{note}: generating", file=sys.stderr, flush=True)
        with common.Stopwatch() as watch:
            generator.grow_to(size)
        pages = GoodPracticePage.objects.live().count()
        languages = Counter(
            GoodPracticePage.objects.live().values_list("locale__language_code", flat=True)
        )
        run = {
            "generate_s": watch.seconds,
            "pages": pages,
            "languages": ", ".join(f"{k} {v / pages:.0%}" for k, v in languages.most_common()),
        }
        print(f"{note}: building KX's index", file=sys.stderr, flush=True)
        kx_build = build_kx()
        print(
            f"{note}: {kx_build[0]:,} documents in {kx_build[1]:.1f} s; building Wagtail's index",
            file=sys.stderr,
            flush=True,
        )
        wagtail_build = build_wagtail()
        print(
            f"{note}: {wagtail_build[0]:,} documents in {wagtail_build[1]:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        if args.fixes is None:
            args.fixes = (
                applicable_fixes(case_sets["b"][0], args.timeout) if args.fix_preview else []
            )
        engines = {"kx": KXSearch(), "wagtail": WagtailSearch()}
        builds = {"kx": kx_build, "wagtail": wagtail_build}
        if args.fixes:
            engines["kx_fix"] = KXSearch(args.fixes)
            builds["kx_fix"] = kx_build
        for key, engine in engines.items():
            run[key] = {"name": engine.name, "build": builds[key]}
        for scenario, case_list in case_sets.items():
            for key, engine in engines.items():
                print(f"{note}: {SCENARIOS[scenario]}, {engine.name}", file=sys.stderr, flush=True)
                if key == "kx_fix" and not engine.rewrites(case_list[0]):
                    run[key][scenario] = None  # the same statements as KX's: nothing to time
                    print(f"{note}: = KX, no statement changes", file=sys.stderr, flush=True)
                    continue
                timing = measure(
                    engine,
                    case_list,
                    requests=args.requests,
                    warmup=args.warmup,
                    budget_s=args.budget,
                    timeout_s=args.timeout,
                )
                run[key][scenario] = timing
                print(
                    f"{note}: {SCENARIOS[scenario]}, {engine.name}: {cell(timing, args.timeout)}"
                    " ms",
                    file=sys.stderr,
                    flush=True,
                )
        runs[size] = run

    args.loads.append(os.getloadavg())
    args.cpu_times.append(cpu_times())
    met = print_report(args, runs)
    if args.profile or not met:
        largest = max(runs)
        print(f"\n## Profile at {largest:,} practices\n")
        print(
            "### Statements of KX's embedded backend per search\n\n"
            "Each statement run to completion and timed; every query of the case "
            f"{PROFILE_RUNS} times, or fewer within about 15 s.\n"
        )
        variants = [("As it is", [])]
        if args.fixes:
            variants.append(
                ("With the proposed fix (" + describe_fixes(args.fixes) + ")", args.fixes)
            )
        for title, fixes in variants:
            print(f"### {title}\n", flush=True)
            print(f"… profiling searches: {title}", file=sys.stderr, flush=True)
            profile_searches(case_sets, fixes=fixes, timeout_s=args.timeout)
        print("… profiling the index build", file=sys.stderr, flush=True)
        n, stages = profile_build()
        print_build_profile(n, stages)
    if args.keep_db:
        print(f"\nDatabase kept in {workdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
