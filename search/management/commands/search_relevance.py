"""manage.py search_relevance: recall@k and MRR of the judged query set on the current index."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from search.relevance import DATA_FILE, check_queries, evaluate, load_queries


class Command(BaseCommand):
    help = (
        "Run the judged queries of search/data/relevance.json against the current database and "
        "search index (demo content loaded and indexed) and print recall@k and MRR per language."
    )

    def add_arguments(self, parser):
        parser.add_argument("--k", type=int, default=10, help="Hits looked at per query (10).")
        parser.add_argument(
            "--min-recall", type=float, default=None, help="Fail when mean recall@k is below."
        )
        parser.add_argument("--min-mrr", type=float, default=None, help="Fail when MRR is below.")
        parser.add_argument(
            "--verbose",
            action="store_true",
            help="Also list every query with recall below 1: expected and top-5 keys.",
        )
        parser.add_argument("--file", default=str(DATA_FILE), help="Another judged query file.")

    def handle(self, *args, **options):
        from practices.models import GoodPracticePage

        k = options["k"]
        if k < 1:
            raise CommandError("--k must be at least 1.")
        queries = load_queries(options["file"])
        if not queries:
            raise CommandError(f"No queries in {options['file']}.")

        try:
            live = set(
                GoodPracticePage.objects.live().filter(is_demo=True).values_list("slug", flat=True)
            )
        except DatabaseError:
            live = set()
        if not live:
            raise CommandError(
                "No demo practices in the database: run `manage.py load_demo` first."
            )
        self.check_index()
        problems = check_queries(queries, live)
        for problem in problems:
            self.stderr.write(f"warning: {problem}")

        report = evaluate(queries, k=k)
        self.print_table(report)
        if options["verbose"]:
            self.print_failures(report)

        overall = report.overall
        below = []
        if options["min_recall"] is not None and overall.recall < options["min_recall"]:
            below.append(f"recall@{k} {overall.recall:.2f} < {options['min_recall']:.2f}")
        if options["min_mrr"] is not None and overall.mrr < options["min_mrr"]:
            below.append(f"MRR {overall.mrr:.2f} < {options['min_mrr']:.2f}")
        if below:
            raise CommandError("search relevance below threshold: " + ", ".join(below))

    def check_index(self):
        from search.backends import elasticsearch_configured
        from search.backends.embedded import get_index

        if not elasticsearch_configured() and not get_index().counts().get("practice"):
            raise CommandError(
                "The search index holds no practices: run `manage.py search_rebuild` first."
            )

    def print_table(self, report):
        k = report.k
        self.stdout.write(f"{'language':<10}{'n':>4}{f'recall@{k}':>12}{'MRR':>8}")
        for code, summary in report.per_language.items():
            self.stdout.write(f"{code:<10}{summary.n:>4}{summary.recall:>12.2f}{summary.mrr:>8.2f}")
        overall = report.overall
        self.stdout.write(
            f"relevance: {overall.n} queries, recall@{k} {overall.recall:.2f},"
            f" MRR {overall.mrr:.2f}"
        )

    def print_failures(self, report):
        failures = report.failures
        if not failures:
            return
        self.stdout.write(f"\n{len(failures)} queries with recall@{report.k} below 1, worst first:")
        for result in failures:
            query = result.query
            rank = result.first_relevant_rank
            self.stdout.write(
                f"\n[{query.language}] {json.dumps(query.q, ensure_ascii=False)}"
                f"  recall {result.recall:.2f}, first relevant at "
                f"{rank if rank else '-'}"
            )
            got = set(result.got)
            expected = [key if key in got else f"{key} (missing)" for key in query.relevant]
            self.stdout.write(f"  expected: {', '.join(expected)}")
            top = [f"{key}{' *' if key in query.relevant else ''}" for key in result.got[:5]]
            self.stdout.write(f"  got top-5: {', '.join(top) if top else '(no hits)'}")
