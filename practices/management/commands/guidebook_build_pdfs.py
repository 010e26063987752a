from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from practices import guidebook_pdf
from practices.models import GuidebookSnapshot


class Command(BaseCommand):
    help = (
        "Queue the missing PDFs of published guidebook editions for the worker (the release "
        "step runs this after a deployment that changes their layout); --now builds them here."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Build in this process instead of the worker."
        )

    def handle(self, *args, now=False, **options):
        snapshots = GuidebookSnapshot.objects.filter(guidebook__live=True).select_related(
            "guidebook__locale"
        )
        for snapshot in snapshots.order_by("guidebook_id"):
            edition = snapshot.guidebook
            if default_storage.exists(guidebook_pdf.pdf_name(edition, snapshot.content_hash)):
                continue
            if now:
                guidebook_pdf.build(edition.pk)
                self.stdout.write(f"{edition.url_path}: built")
            elif guidebook_pdf.request_build(edition.pk):
                self.stdout.write(f"{edition.url_path}: queued")
            else:
                self.stdout.write(f"{edition.url_path}: already queued")
