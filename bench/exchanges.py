"""Benchmark of the exchange measurement dashboard: `python -m bench.exchanges`.

On a throwaway SQLite database it generates practices (bench.generate) and South-South
exchange records in bulk (--records, default 10,000: countries of the South and a few
partners, 2019-2026, every kind, modality and pillar, 5 % disputed), then measures with
Django's test client (server time, in-process), --requests timed requests each after
--warmup untimed ones:

* the dashboard, unfiltered (/en/ and /ar/ in turn);
* the dashboard with filters (year, pillar, region and all three together);
* both again with the cache emptied before every request (the first reader after a
  record or a practice changes);
* the JSON export.

Prints a markdown table (median, p95, SQL time, queries per request) and exits non-zero
when a dashboard p95 misses the target (--target-ms, default 150).
"""

import argparse
import datetime
import json
import random
import sys
from decimal import Decimal

from bench import common

DEFAULT_RECORDS = 10_000
DEFAULT_PRACTICES = 500
TARGET_P95_MS = 150.0
YEARS = range(2019, 2027)
PARTNERS = ["FR", "NO", "JP", "DE"]  # triangular partners outside the South


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.exchanges", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--records", type=int, default=DEFAULT_RECORDS)
    parser.add_argument("--practices", type=int, default=DEFAULT_PRACTICES)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests first")
    parser.add_argument("--seed", type=int, default=20_260_317)
    parser.add_argument("--target-ms", type=float, default=TARGET_P95_MS)
    parser.add_argument("--profile", action="store_true", help="print the slowest SQL")
    parser.add_argument("--keep-db", action="store_true", help="keep the temporary database")
    args = parser.parse_args(argv)
    if args.records < 1 or args.requests < 1 or args.warmup < 0 or args.practices < 0:
        parser.error("--records and --requests must be positive, the others at least 0")
    return args


def generate_records(count, seed):
    """Bulk-insert `count` records; returns how many the dashboard counts (not disputed)."""
    from experts.models import ExchangeRecord
    from kx_platform.models import Country, Pillar, Theme

    rng = random.Random(seed)
    south = list(
        Country.objects.filter(region__is_global_south=True).values_list("code", flat=True)
    )
    partners = [c for c in PARTNERS if Country.objects.filter(code=c).exists()]
    pillars = list(Pillar.objects.values_list("pk", flat=True))
    themes = list(Theme.objects.values_list("pk", flat=True))
    kinds = ["knowledge_sharing"] * 5 + ["technical_cooperation"] * 3 + ["financial", "in_kind"]
    modalities = ["bilateral"] * 6 + ["regional"] * 2 + ["interregional", "triangular"]
    currencies = ["USD", "EUR", "XOF", "MAD", "IDR"]
    records = []
    counted = 0
    for _ in range(count):
        provider = rng.choice(partners if partners and rng.random() < 0.03 else south)
        recipient = rng.choice(south)
        while recipient == provider:
            recipient = rng.choice(south)
        start = datetime.date(rng.choice(YEARS), rng.randint(1, 12), rng.randint(1, 28))
        status = rng.choices(["pending", "confirmed", "disputed"], [70, 25, 5])[0]
        counted += status != "disputed"
        valued = rng.random() < 0.3
        records.append(
            ExchangeRecord(
                provider_country_id=provider,
                recipient_country_id=recipient,
                modality=rng.choice(modalities),
                support_kind=rng.choice(kinds),
                pillar_id=rng.choice(pillars) if rng.random() < 0.9 else None,
                start_date=start,
                end_date=start + datetime.timedelta(days=rng.randint(1, 120)),
                value=Decimal(rng.randint(1_000, 500_000)) if valued else None,
                currency=rng.choice(currencies) if valued else "",
                status=status,
                status_reason="Generated dispute" if status == "disputed" else "",
            )
        )
    ExchangeRecord.objects.bulk_create(records, batch_size=2000)
    through = ExchangeRecord.themes.through
    if themes:
        through.objects.bulk_create(
            [through(exchangerecord_id=r.pk, theme_id=rng.choice(themes)) for r in records],
            batch_size=2000,
        )
    return counted


def urls():
    return {
        "unfiltered": ["/en/exchanges/dashboard/", "/ar/exchanges/dashboard/"],
        "filtered": [
            "/en/exchanges/dashboard/?year=2025",
            "/en/exchanges/dashboard/?pillar=2",
            "/en/exchanges/dashboard/?region=africa",
            "/en/exchanges/dashboard/?year=2024&pillar=1&region=arab-states",
        ],
        "json": [
            "/en/exchanges/dashboard.json",
            "/en/exchanges/dashboard.json?region=asia-pacific",
        ],
    }


LABELS = {
    "unfiltered": "Dashboard, no filter (en, ar)",
    "filtered": "Dashboard with filters (year / pillar / region / all three)",
    "unfiltered_cold": "Dashboard, no filter, cache emptied before each request",
    "filtered_cold": "Dashboard with filters, cache emptied before each request",
    "json": "JSON export of the aggregates",
}
DASHBOARD_KEYS = ["unfiltered", "filtered", "unfiltered_cold", "filtered_cold"]


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    workdir = common.setup_django(keep=args.keep_db)

    from django.core.cache import cache
    from django.test import Client

    from bench.generate import PracticeGenerator

    print(f"… generating {args.practices:,} practices", file=sys.stderr, flush=True)
    with common.Stopwatch() as practices_watch:
        if args.practices:
            PracticeGenerator(seed=args.seed).grow_to(args.practices)
    print(f"… generating {args.records:,} exchange records", file=sys.stderr, flush=True)
    with common.Stopwatch() as records_watch:
        counted = generate_records(args.records, args.seed)
    cache.clear()

    client = Client()
    data = json.loads(client.get("/en/exchanges/dashboard.json").content)
    if data["records"]["counted"] != counted:
        raise AssertionError(f"The dashboard counts {data['records']['counted']}, not {counted}")

    print("… measuring", file=sys.stderr, flush=True)
    sets = urls()
    runs = {}
    for key in ("unfiltered", "filtered", "json"):
        runs[key] = common.measure(
            client, sets[key], name=key, requests=args.requests, warmup=args.warmup
        )
    for key in ("unfiltered", "filtered"):
        runs[f"{key}_cold"] = common.measure(
            client,
            sets[key],
            name=f"{key}_cold",
            requests=args.requests,
            warmup=args.warmup,
            before=cache.clear,
        )

    print("## Exchange measurement dashboard: server time\n")
    print("\n".join(common.environment_lines()))
    print(
        f"- {args.records:,} exchange records ({counted:,} counted, the rest disputed), "
        f"generated in {records_watch.seconds:.1f} s; {args.practices:,} practices in "
        f"{practices_watch.seconds:.1f} s"
    )
    print(
        f"- {args.requests} timed requests per endpoint after {args.warmup} warm-up requests; "
        "Django test client, in-process\n"
    )
    rows = []
    for key in ("unfiltered", "filtered", "unfiltered_cold", "filtered_cold", "json"):
        m = runs[key]
        rows.append(
            [
                f"{args.records:,}",
                LABELS[key],
                common.ms(m.median_ms),
                common.ms(m.p95_ms),
                common.ms(m.sql_median_ms),
                m.queries_label(),
            ]
        )
    headers = ["Records", "Endpoint", "Median ms", "p95 ms", "SQL ms (median)", "Queries/request"]
    print(common.markdown_table(headers, rows, align="llrrrr"))
    print()
    met = True
    for key in DASHBOARD_KEYS:
        p95 = runs[key].p95_ms
        ok = p95 <= args.target_ms
        met &= ok
        print(
            f"- Target p95 ≤ {args.target_ms:.0f} ms, {LABELS[key]}: "
            f"{common.ms(p95)} ms, {'met' if ok else 'MISSED'}"
        )
    if args.profile or not met:
        for key in ("unfiltered_cold", "filtered_cold"):
            m = runs[key]
            print(f"\n### Slowest SQL: {LABELS[key]}\n")
            n = len(m.times_ms)
            for sql, _params, executions, seconds in m.slowest_sql(5):
                flat = " ".join(common.abbreviate_sql(sql).split())[:110]
                print(f"- {executions / n:.1f}×, {seconds * 1000 / n:.1f} ms/request: {flat}")
    if args.keep_db:
        print(f"\nDatabase kept in {workdir}", file=sys.stderr)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
