"""Shared by the benchmarks: a throwaway database, timing, percentiles, query counting, tables.

Usage (before importing anything that needs Django's settings):

    from bench import common
    workdir = common.setup_django()          # temp dir, bench settings, migrate
    ...
    result = common.measure(client, urls, requests=200, warmup=10)
"""

import atexit
import os
import platform
import re
import shlex
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

SETTINGS_MODULE = "bench.settings"


# --- environment ---------------------------------------------------------------------
def setup_django(*, keep=False, migrate=True, prefix="kx-bench-"):
    """Point Django at a fresh SQLite file in a temp dir, set it up, and run `migrate`.

    `migrate` also builds the page tree (kx_platform.site_setup, a post_migrate handler).
    The directory is removed at exit unless `keep` is true. Returns its path.
    """
    workdir = tempfile.mkdtemp(prefix=prefix)
    os.environ["KX_BENCH_DB"] = os.path.join(workdir, "bench.sqlite3")
    os.environ["KX_VAR_DIR"] = workdir
    os.environ["KX_MEDIA_ROOT"] = os.path.join(workdir, "media")
    # Forced, not setdefault: a benchmark must never run on another database.
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.environ.pop("DATABASE_URL", None)

    import django

    django.setup()

    from django.conf import settings

    db_name = str(settings.DATABASES["default"]["NAME"])
    if not db_name.startswith(workdir):  # belt and braces
        raise SystemExit(f"Refusing to benchmark on {db_name}: not a throwaway database.")

    os.makedirs(settings.STATIC_ROOT, exist_ok=True)  # WhiteNoise warns when it is missing
    if not keep:
        atexit.register(_cleanup, workdir)
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    return workdir


def _cleanup(workdir):
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001 - best effort at exit
        pass
    shutil.rmtree(workdir, ignore_errors=True)


def environment_lines():
    import django
    import wagtail

    return [
        f"- Command: `{shlex.join([os.path.basename(sys.executable), *sys_argv()])}`",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"Django {django.get_version()}, Wagtail {wagtail.__version__}, "
        f"SQLite {sqlite3.sqlite_version} (file database, DEBUG=False)",
        f"- Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPU(s)",
    ]


def sys_argv():
    """The command line as typed: `-m bench.x` rather than the module's file path."""
    argv = list(sys.argv)
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:
        return ["-m", spec.name, *argv[1:]]
    return argv


# --- statistics ----------------------------------------------------------------------
def percentile(values, p):
    """The p-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- query counting ------------------------------------------------------------------
class QueryRecorder:
    """Counts the SQL statements of the default connection, with their time per statement.

    Uses connection.execute_wrapper: it costs a counter and two clock reads per query,
    unlike CaptureQueriesContext, whose debug cursor on SQLite runs an extra
    `SELECT QUOTE(?)` per query to render the SQL and would distort the timings. It counts
    exactly what CaptureQueriesContext records (one entry per execute/executemany).
    """

    def __init__(self, using="default"):
        from django.db import connections

        self.connection = connections[using]
        self.count = 0
        self.seconds = 0.0
        self.by_sql = defaultdict(lambda: [0, 0.0])  # sql -> [executions, seconds]
        self.sample_params = {}

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.count += 1
            self.seconds += elapsed
            entry = self.by_sql[sql]
            entry[0] += 1
            entry[1] += elapsed
            if sql not in self.sample_params:
                self.sample_params[sql] = params

    def __enter__(self):
        self._ctx = self.connection.execute_wrapper(self)
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


# --- measuring -----------------------------------------------------------------------
@dataclass
class Measurement:
    name: str
    times_ms: list = field(default_factory=list)
    queries: list = field(default_factory=list)
    sql_ms: list = field(default_factory=list)
    by_url: dict = field(default_factory=dict)  # url -> set of query counts
    by_sql: dict = field(default_factory=dict)
    sample_params: dict = field(default_factory=dict)

    @property
    def median_ms(self):
        return median(self.times_ms)

    @property
    def p95_ms(self):
        return percentile(self.times_ms, 95)

    @property
    def sql_median_ms(self):
        return median(self.sql_ms)

    @property
    def queries_min(self):
        return min(self.queries)

    @property
    def queries_max(self):
        return max(self.queries)

    def queries_label(self):
        low, high = self.queries_min, self.queries_max
        return str(low) if low == high else f"{low}–{high}"

    def slowest_sql(self, limit=5):
        """[(sample sql, its params, executions, total seconds)] by total time.

        Statements differing only in the length of an IN (...) list are one entry.
        """
        groups = {}
        for sql, (n, seconds) in self.by_sql.items():
            key = sql_shape(sql)
            group = groups.setdefault(key, [sql, self.sample_params.get(sql, ()), 0, 0.0, 0.0])
            group[2] += n
            group[3] += seconds
            if seconds / n > group[4]:  # keep the slowest variant as the sample
                group[0], group[1], group[4] = sql, self.sample_params.get(sql, ()), seconds / n
        rows = [tuple(g[:4]) for g in groups.values()]
        rows.sort(key=lambda r: r[3], reverse=True)
        return rows[:limit]


def measure(client, urls, *, name, requests=200, warmup=10, expect_status=200, before=None):
    """GET `urls` in turn: `warmup` untimed requests, then `requests` timed ones.

    Times client.get() (the whole Django request/response cycle, in-process) and counts
    the SQL queries of each request.
    """
    if not urls:
        raise ValueError("no URL to measure")
    result = Measurement(name=name)
    for i in range(warmup):
        _get(client, urls[i % len(urls)], expect_status)
    for i in range(requests):
        url = urls[(warmup + i) % len(urls)]
        if before is not None:
            before()  # untimed, e.g. clearing the cache for a cold measurement
        with QueryRecorder() as recorder:
            start = time.perf_counter()
            _get(client, url, expect_status)
            elapsed = time.perf_counter() - start
        result.times_ms.append(elapsed * 1000)
        result.queries.append(recorder.count)
        result.sql_ms.append(recorder.seconds * 1000)
        result.by_url.setdefault(url, set()).add(recorder.count)
        for sql, (n, seconds) in recorder.by_sql.items():
            entry = result.by_sql.setdefault(sql, [0, 0.0])
            entry[0] += n
            entry[1] += seconds
        for sql, params in recorder.sample_params.items():
            result.sample_params.setdefault(sql, params)
    return result


def count_queries(client, urls, expect_status=200):
    """{url: number of SQL queries} of one untimed request to each URL."""
    counts = {}
    for url in urls:
        with QueryRecorder() as recorder:
            _get(client, url, expect_status)
        counts[url] = recorder.count
    return counts


def same_counts(per_size):
    """Whether URLs requested at several sizes issued the same number of queries at each.

    `per_size` is a list of {url: count or set of counts}; returns (compared URLs, differing).
    """

    def as_set(value):
        return value if isinstance(value, set) else {value}

    common_urls = set.intersection(*(set(d) for d in per_size)) if per_size else set()
    differing = [
        url for url in sorted(common_urls) if len({frozenset(as_set(d[url])) for d in per_size}) > 1
    ]
    return len(common_urls), differing


def _get(client, url, expect_status):
    response = client.get(url)
    if response.status_code != expect_status:
        raise AssertionError(f"GET {url}: HTTP {response.status_code}, expected {expect_status}")
    return response


_IN_LIST = re.compile(r"IN \((?:%s, )*%s\)")
_COLUMNS = re.compile(r'(?:"\w+"\."\w+"(?: AS "\w+")?, ){3,}"\w+"\."\w+"(?: AS "\w+")?')


def sql_shape(sql):
    """The statement with IN (%s, %s, ...) lists collapsed, to group similar statements."""
    return _IN_LIST.sub("IN (…)", sql)


def abbreviate_sql(sql):
    """Long column lists (SELECT, GROUP BY) shortened to `<N columns of t>`, for reading."""

    def columns(match):
        text = match.group(0)
        tables = sorted(set(re.findall(r'"(\w+)"\."', text)))
        return f"<{text.count(', ') + 1} columns of {', '.join(tables)}>"

    return _COLUMNS.sub(columns, sql)


def explain(sql, params, using="default"):
    """SQLite's EXPLAIN QUERY PLAN of one statement, as indented lines."""
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        rows = cursor.fetchall()
    depth = {0: 0}
    lines = []
    for node_id, parent, _notused, detail in rows:
        depth[node_id] = depth.get(parent, 0) + 1
        lines.append("  " * (depth[node_id] - 1) + detail)
    return lines


# --- output --------------------------------------------------------------------------
def markdown_table(headers, rows, align=None):
    """A GitHub-flavoured markdown table; `align` is a string of 'l'/'r' per column."""
    align = align or "l" * len(headers)
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]

    def line(values):
        padded = [
            v.rjust(w) if a == "r" else v.ljust(w)
            for v, w, a in zip(values, widths, align, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if a == "r" else ("-" * (w + 2))
            for w, a in zip(widths, align, strict=True)
        )
        + "|"
    )
    return "\n".join([line([str(h) for h in headers]), rule, *(line(r) for r in cells)])


def ms(value):
    return f"{value:.1f}"


class Stopwatch:
    """`with Stopwatch() as sw: ...; sw.seconds`"""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start
        return False
