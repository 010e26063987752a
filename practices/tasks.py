"""The practices app's background tasks (run by the worker: kx_platform.background)."""

from django.tasks import task

from practices import guidebook_pdf


@task()
def build_guidebook_pdf(edition_pk, language=None):
    """Build a published guidebook edition's PDF (practices.guidebook_pdf)."""
    guidebook_pdf.build(edition_pk, language)
