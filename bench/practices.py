"""Benchmark of the practice list and the practice page: `python -m bench.practices`.

On a throwaway SQLite database it generates practices in bulk (bench.generate), then
measures, with Django's test client (server time, in-process):

* the practice list with two filters, /en/practices/?pillar=N&region=africa, cycling
  through pillars 1-4 and the first pages of each result;
* a practice page, a different practice (any language) for each request;
* and, as spot checks with a few requests (--spot-requests), the unfiltered list and
  the list filtered by a single theme.

It does so at each size of --sizes (default: 200 and --practices), to show that the
number of SQL queries per request does not grow with the number of practices, and
prints a markdown table. --profile (automatic when the p95 target is missed) lists
the slowest SQL statements with SQLite's EXPLAIN QUERY PLAN.
"""

import argparse
import random
import re
import sys

from bench import common

DEFAULT_PRACTICES = 5_000
SMALL_SIZE = 200
TARGET_P95_MS = 60.0
LIST_REGION = "africa"
LIST_PILLARS = (1, 2, 3, 4)
LIST_PAGES = 3  # the first pages of each filtered result
PROBE_PRACTICES = 40  # practice pages whose query count is compared across sizes
COUNT_RE = re.compile(r'class="results__count"[^>]*>\s*(\d+)\s', re.S)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.practices", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--practices",
        type=int,
        default=DEFAULT_PRACTICES,
        help=f"number of practices at full size (default {DEFAULT_PRACTICES})",
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: sorted({int(x) for x in s.split(",") if x.strip()}),
        help=f"comma-separated sizes to measure (default {SMALL_SIZE},PRACTICES)",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests first")
    parser.add_argument(
        "--spot-requests",
        type=int,
        default=5,
        help="timed requests of each spot check: unfiltered list, single-theme list (0: none)",
    )
    parser.add_argument("--seed", type=int, default=20_250_601, help="random seed of the data")
    parser.add_argument(
        "--target-ms", type=float, default=TARGET_P95_MS, help="p95 target at the largest size"
    )
    parser.add_argument(
        "--profile", action="store_true", help="always print the slowest SQL and its plan"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the temporary database")
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = sorted({min(SMALL_SIZE, args.practices), args.practices})
    if not args.sizes or min(args.sizes) < 1:
        parser.error("sizes must be positive integers")
    if args.requests < 1 or args.warmup < 0 or args.spot_requests < 0:
        parser.error("--requests must be at least 1, --warmup and --spot-requests at least 0")
    return args


# --- URLs ----------------------------------------------------------------------------
def list_urls(generator, index_url):
    """The filtered list: pillars 1-4 x region, each on its first pages (non-empty only)."""
    per_page = _per_page()
    urls = []
    for page in range(1, LIST_PAGES + 1):
        for pillar in LIST_PILLARS:
            total = generator.expected_total(pillar, LIST_REGION)
            if total > (page - 1) * per_page:
                suffix = f"&page={page}" if page > 1 else ""
                urls.append(f"{index_url}?pillar={pillar}&region={LIST_REGION}{suffix}")
    return urls


def detail_urls(generator, index_urls, count, seed):
    """`count` practice pages in a random order: originals and translations, all languages."""
    rng = random.Random(seed)
    pages = []
    for practice in generator.practices:
        for language in sorted(practice.languages):
            pages.append(f"{index_urls[language]}{practice.slug}/")
    rng.shuffle(pages)
    return pages[:count]


def probe_urls(generator, index_urls, count):
    """Every page (original and translation) of the first `count` practices."""
    return [
        f"{index_urls[language]}{practice.slug}/"
        for practice in generator.practices[:count]
        for language in sorted(practice.languages)
    ]


def spot_urls(index_url):
    """{key: (label, urls)} of the spot checks."""
    from kx_platform.models import Theme

    slugs = list(Theme.objects.order_by("pk").values_list("slug", flat=True)[:5])
    return {
        "unfiltered": ("List, no filter", [index_url]),
        "theme": ("List `?theme=<one theme>`", [f"{index_url}?theme={s}" for s in slugs]),
    }


def _per_page():
    from django.conf import settings

    return settings.KX_PRACTICES_PER_PAGE


# --- checks --------------------------------------------------------------------------
def listed_total(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"GET {url}: HTTP {response.status_code}")
    match = COUNT_RE.search(response.content.decode())
    if not match:
        raise AssertionError(f"GET {url}: no result count in the page")
    return int(match.group(1))


def sanity_check(client, generator, index_urls, size):
    from django.utils.html import escape

    from bench.generate import tree_problems
    from practices.models import GoodPracticePage

    problems = tree_problems()
    if problems:
        raise AssertionError(f"The page tree is inconsistent: {problems}")
    pages = GoodPracticePage.objects.live().count()
    expected_pages = size + sum(1 for p in generator.practices if p.translation_language)
    if pages != expected_pages:
        raise AssertionError(f"{pages} live practice pages, expected {expected_pages}")
    # Every practice is listed once in each language, translated or not (de-duplication).
    for _language, index_url in sorted(index_urls.items()):
        total = listed_total(client, index_url)
        if total != size:
            raise AssertionError(f"{index_url} lists {total} practices, expected {size}")
    url = f"{index_urls['en']}?pillar=1&region={LIST_REGION}"
    expected = generator.expected_total(1, LIST_REGION)
    total = listed_total(client, url)
    if total != expected:
        raise AssertionError(f"{url} lists {total} practices, expected {expected}")
    # A generated original and a generated translation render.
    translated = next((p for p in generator.practices if p.translation_language), None)
    samples = [generator.practices[-1]] + ([translated] if translated else [])
    for practice in samples:
        for language in sorted(practice.languages):
            page = GoodPracticePage.objects.get(
                translation_key=practice.translation_key, locale__language_code=language
            )
            url = f"{index_urls[language]}{practice.slug}/"
            response = client.get(url)
            if response.status_code != 200:
                raise AssertionError(f"GET {url}: HTTP {response.status_code}")
            if escape(page.title) not in response.content.decode():
                raise AssertionError(f"GET {url}: the practice's title is not in the page")
    return {"pages": pages, "filtered_total": expected}


# --- report --------------------------------------------------------------------------
def print_report(args, runs, target_ms):
    largest = max(runs)
    print("## Practice list and practice page: server time\n")
    print("\n".join(common.environment_lines()))
    print(
        f"- {args.requests} timed requests per endpoint after {args.warmup} warm-up requests; "
        "Django test client, in-process, one SQLite connection kept open (CONN_MAX_AGE)"
    )
    for size, run in runs.items():
        print(
            f"- {size:,} practices = {run['info']['pages']:,} published pages "
            f"({run['info']['pages'] - size:,} translations); generated in "
            f"{run['generate_s']:.1f} s; list filter pillar=1&region={LIST_REGION} "
            f"matches {run['info']['filtered_total']:,}"
        )
    print()
    headers = ["Practices", "Endpoint", "Median ms", "p95 ms", "SQL ms (median)", "Queries/request"]
    rows = []
    for size, run in runs.items():
        for key, label in (
            ("list", LIST_LABEL),
            ("list_cold", LIST_COLD_LABEL),
            ("page", PAGE_LABEL),
        ):
            m = run[key]
            rows.append(
                [
                    f"{size:,}",
                    label,
                    common.ms(m.median_ms),
                    common.ms(m.p95_ms),
                    common.ms(m.sql_median_ms),
                    m.queries_label(),
                ]
            )
    print(common.markdown_table(headers, rows, align="lrrrrr"))
    print()
    sizes = list(runs)
    headers = ["Endpoint", *(f"Queries at {s:,}" for s in sizes), "Same URL, same count"]
    rows = []
    for key, label in (("list", LIST_LABEL), ("page", PAGE_LABEL)):
        labels = [runs[s][key].queries_label() for s in sizes]
        if key == "list":
            compared, differing = common.same_counts([runs[s]["list"].by_url for s in sizes])
        else:
            compared, differing = common.same_counts([runs[s]["page_probe"] for s in sizes])
        verdict = (
            f"{'yes' if not differing else 'NO'} ({compared - len(differing)}/{compared} URLs)"
        )
        rows.append([label, *labels, verdict])
    print(common.markdown_table(headers, rows, align="l" + "r" * len(sizes) + "l"))
    print(
        "\nQueries per request: min–max over the timed requests. A practice page's count "
        "depends on its language and on how many translations it has (the language "
        "switcher, the related practices), not on the number of practices; the last column "
        f"compares the same URLs at every size (list URLs; the pages of the first "
        f"{PROBE_PRACTICES} practices).\n"
    )
    spot_rows = [
        [
            f"{size:,}",
            label,
            len(m.times_ms),
            common.ms(m.median_ms),
            common.ms(max(m.times_ms)),
            common.ms(m.sql_median_ms),
            m.queries_label(),
        ]
        for size, run in runs.items()
        for label, m in run["spot"].values()
    ]
    if spot_rows:
        print("Spot checks (few requests, for orders of magnitude):\n")
        headers = ["Practices", "Endpoint", "Requests", "Median ms", "Max ms", "SQL ms", "Queries"]
        print(common.markdown_table(headers, spot_rows, align="llrrrrr"))
        print()
    verdicts = []
    for key, label in (("list", LIST_LABEL), ("page", PAGE_LABEL)):
        p95 = runs[largest][key].p95_ms
        ok = p95 <= target_ms
        verdicts.append(ok)
        print(
            f"- Target p95 ≤ {target_ms:.0f} ms at {largest:,} practices, {label}: "
            f"{common.ms(p95)} ms, {'met' if ok else 'MISSED'}"
        )
    return all(verdicts)


def print_profile(runs, limit=5, explain_top=3):
    largest = max(runs)
    run = runs[largest]
    print(f"\n## Slowest SQL at {largest:,} practices (time inside cursor.execute)\n")
    endpoints = [(LIST_LABEL, run["list"], explain_top), (PAGE_LABEL, run["page"], explain_top)]
    endpoints += [(f"Spot check: {label}", m, 1) for label, m in run["spot"].values()]
    for label, m, explained in endpoints:
        n = len(m.times_ms)
        print(f"### {label}\n")
        rows = []
        for rank, (sql, _params, executions, seconds) in enumerate(m.slowest_sql(limit), start=1):
            rows.append(
                [
                    rank,
                    f"{executions / n:.1f}",
                    common.ms(seconds * 1000 / n),
                    _sql_summary(common.abbreviate_sql(sql)),
                ]
            )
        print(
            common.markdown_table(
                ["#", "Runs/request", "ms/request", "Statement"], rows, align="rrrl"
            )
        )
        print()
        for rank, (sql, params, _n, _s) in enumerate(m.slowest_sql(explained), start=1):
            print(f"#{rank}:\n```sql\n{common.abbreviate_sql(sql)}\n```")
            try:
                plan = common.explain(sql, params)
                print("EXPLAIN QUERY PLAN:\n```\n" + "\n".join(plan) + "\n```\n")
            except Exception as error:  # noqa: BLE001 - a plan is a nice-to-have
                print(f"(no plan: {error})\n")


def _sql_summary(sql, width=90):
    flat = " ".join(sql.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


LIST_LABEL = f"List `?pillar=N&region={LIST_REGION}`"
PAGE_LABEL = "Practice page"
LIST_COLD_LABEL = f"{LIST_LABEL}, cache emptied before each request"


# --- main ----------------------------------------------------------------------------
def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    workdir = common.setup_django(keep=args.keep_db)

    from django.core.cache import cache
    from django.test import Client
    from django.utils import translation

    from bench.generate import PracticeGenerator

    generator = PracticeGenerator(seed=args.seed)
    index_urls = {code: index.get_url() for code, index in generator.indexes.items()}
    client = Client()
    runs = {}
    probe = min(PROBE_PRACTICES, min(args.sizes))
    for size in args.sizes:
        print(f"… {size:,} practices: generating", file=sys.stderr, flush=True)
        with common.Stopwatch() as watch:
            generator.grow_to(size)
        info = sanity_check(client, generator, index_urls, size)
        print(f"… {size:,} practices: measuring", file=sys.stderr, flush=True)
        list_set = list_urls(generator, index_urls["en"])
        page_set = detail_urls(generator, index_urls, args.requests + args.warmup, args.seed)
        run = {"generate_s": watch.seconds, "info": info, "spot": {}}
        # The same practice pages at every size: their query counts must not change.
        run["page_probe"] = common.count_queries(client, probe_urls(generator, index_urls, probe))
        run["list"] = common.measure(
            client, list_set, name="list", requests=args.requests, warmup=args.warmup
        )
        run["page"] = common.measure(
            client, page_set, name="page", requests=args.requests, warmup=args.warmup
        )
        # The same list with the content cache emptied before every request: the cost
        # of the first reader after each publication.
        run["list_cold"] = common.measure(
            client,
            list_set,
            name="list_cold",
            requests=args.requests,
            warmup=args.warmup,
            before=cache.clear,
        )
        if args.spot_requests:
            for key, (label, urls) in spot_urls(index_urls["en"]).items():
                measured = common.measure(
                    client, urls, name=key, requests=args.spot_requests, warmup=1
                )
                run["spot"][key] = (label, measured)
        runs[size] = run
        translation.deactivate()

    met = print_report(args, runs, args.target_ms)
    if args.profile or not met:
        print_profile(runs)
    if args.keep_db:
        print(f"\nDatabase kept in {workdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
