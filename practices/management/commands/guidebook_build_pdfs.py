from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from practices.guidebook_pdf import build_claimed, claim_build, pdf_name
from practices.models import GuidebookSnapshot


class Command(BaseCommand):
    help = (
        "Build the missing PDFs of published guidebook editions in the foreground (e.g. after "
        "a deployment that changes their layout). Editions whose PDF another process is "
        "building are left to it."
    )

    def handle(self, *args, **options):
        snapshots = GuidebookSnapshot.objects.filter(guidebook__live=True).select_related(
            "guidebook__locale"
        )
        for snapshot in snapshots.order_by("guidebook_id"):
            edition = snapshot.guidebook
            if default_storage.exists(pdf_name(edition, snapshot.content_hash)):
                continue
            if not claim_build(edition.pk):
                self.stdout.write(f"{edition.url_path}: being built elsewhere")
                continue
            build_claimed(edition.pk)
            self.stdout.write(f"{edition.url_path}: built")
