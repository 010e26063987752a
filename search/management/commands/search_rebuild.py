import sys
import time

from django.core.management.base import BaseCommand, CommandError

from search.backends import elasticsearch_configured
from search.documents import DOCUMENTS


class Progress:
    """A one-line progress bar on stderr (plain lines when not a terminal)."""

    def __init__(self, total, stream=None, width=30):
        self.total, self.done, self.width = max(total, 1), 0, width
        self.stream = stream or sys.stderr
        self.started = time.monotonic()

    def __call__(self, count):
        self.done += count
        share = min(1.0, self.done / self.total)
        filled = int(self.width * share)
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} ({rate:.0f}/s)"
        )
        end = "\r" if self.stream.isatty() else "\n"
        self.stream.write(line + end)
        self.stream.flush()


class Command(BaseCommand):
    help = "Rebuild a search index from the database (the embedded one by default)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--backend", choices=["embedded", "elasticsearch", "all"], default="embedded"
        )

    def handle(self, *args, backend, **options):
        total = sum(d.get_queryset().count() for d in DOCUMENTS.values())
        if backend in ("embedded", "all"):
            from search.backends.embedded import get_index

            started = time.monotonic()
            count = get_index().rebuild(DOCUMENTS.values(), progress=Progress(total))
            seconds = time.monotonic() - started
            self.stdout.write(f"Embedded index: {count} documents in {seconds:.1f} s.")
        if backend in ("elasticsearch", "all"):
            if not elasticsearch_configured():
                raise CommandError("ELASTICSEARCH_URL is not set.")
            from search.backends.elastic import get_elastic_backend

            count = get_elastic_backend().rebuild(DOCUMENTS.values(), progress=Progress(total))
            self.stdout.write(f"Elasticsearch: {count} documents indexed, alias swapped.")
