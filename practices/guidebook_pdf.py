"""The PDF of a guidebook edition, made on the server with WeasyPrint (CSS paged media:
cover, table of contents with page numbers, one section per practice; Arabic shaped by
Pango/HarfBuzz with the Noto fonts and laid out right to left).

PDFs are cached in the default storage under guidebook/, keyed by edition, language and
the hash of the frozen content: a new publication changes the hash, and the next request
builds the new file (older files of the edition are removed).
"""

import logging
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation

from practices.guidebook_content import table_of_contents

logger = logging.getLogger(__name__)

PDF_DIR = "guidebook"
STYLESHEET = Path(__file__).parent / "static" / "practices" / "guidebook_pdf.css"
# Bump when the template or the stylesheet changes, so cached PDFs are rebuilt.
LAYOUT_VERSION = 1


def pdf_name(edition, digest):
    language = edition.locale.language_code
    return f"{PDF_DIR}/edition-{edition.pk}-{language}-{digest[:16]}-v{LAYOUT_VERSION}.pdf"


def local_url_fetcher(url, *args, **kwargs):
    """Only files of this site (media and static) are read; nothing is fetched over the
    network while a PDF is made, whatever a practice's text links to."""
    from weasyprint.urls import URLFetchingError, default_url_fetcher

    for prefix, root in ((settings.MEDIA_URL, settings.MEDIA_ROOT), (settings.STATIC_URL, None)):
        marker = f"file://{prefix}"
        if url.startswith(marker) or url.startswith(prefix):
            relative = url.split(prefix, 1)[1].split("?", 1)[0]
            path = (Path(root) / relative) if root else finders.find(relative)
            if path and Path(path).is_file() and ".." not in relative:
                return default_url_fetcher(Path(path).resolve().as_uri())
    if url.startswith("data:"):
        return default_url_fetcher(url)
    raise URLFetchingError(f"Not fetched while making a PDF: {url}")


def render_html(content):
    language = content["language"]
    with translation.override(language):
        return render_to_string(
            "practices/guidebook/pdf.html",
            {
                "content": content,
                "toc": table_of_contents(content),
                "language": language,
                "direction": "rtl" if translation.get_language_bidi() else "ltr",
            },
        )


def render_pdf(content):
    """The PDF of an edition's content, as bytes."""
    from weasyprint import CSS, HTML

    html = HTML(string=render_html(content), base_url="/", url_fetcher=local_url_fetcher)
    return html.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def cached_pdf(edition, content, digest):
    """The storage name of the edition's PDF, built if it is not cached yet."""
    name = pdf_name(edition, digest)
    if default_storage.exists(name):
        return name
    data = render_pdf(content)
    prefix = f"edition-{edition.pk}-{edition.locale.language_code}-"
    try:
        _dirs, files = default_storage.listdir(PDF_DIR)
    except FileNotFoundError:
        files = []
    for old in files:
        if old.startswith(prefix):
            default_storage.delete(f"{PDF_DIR}/{old}")
    saved = default_storage.save(name, ContentFile(data))
    logger.info("Guidebook PDF built: %s (%d bytes)", saved, len(data))
    return saved
