"""The PDF of a guidebook edition, made on the server with WeasyPrint (CSS paged media:
cover, table of contents with page numbers, one section per practice; Arabic shaped by
Pango/HarfBuzz with the Noto fonts and laid out right to left).

PDFs are cached in the default storage under guidebook/, keyed by edition, language and
the hash of the frozen content (older files of the edition are removed).

Building one takes about 20 s for 100 practices, so a published edition's PDF is built
by the worker (the task practices.tasks.build_guidebook_pdf), queued when the publication
is committed (practices.signals), never in a reader's request. One build is queued at a
time per edition and language (a mark in the shared cache); a reader who comes before it
is done gets "being prepared" (503 with Retry-After) and, if nothing is queued (a worker
lost mid-build, a layout change), queues it. `manage.py guidebook_build_pdfs` queues every
missing PDF (the release step runs it after a deployment that changes the layout), or
builds them in the foreground with --now.
Draft PDFs (the review page) are still built on request, for their few readers.
"""

import logging
import mimetypes
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from kx_platform import background
from practices.guidebook_content import localise, table_of_contents

logger = logging.getLogger(__name__)

PDF_DIR = "guidebook"
STYLESHEET = Path(__file__).parent / "static" / "practices" / "guidebook_pdf.css"
# Bump when the template or the stylesheet changes, so cached PDFs are rebuilt.
# 2: tagged PDF/UA-1, DRAFT on every page of a draft, one PDF per reader language.
LAYOUT_VERSION = 2
# A queued build older than this is taken to be lost with its worker.
BUILD_STALE_AFTER = timedelta(minutes=10)
RETRY_AFTER_S = 60


def _prefix(edition, draft, language=None):
    """Drafts and published editions never share a file (nor a prefix: clearing the old
    files of one never touches the other)."""
    kind = "draft" if draft else "edition"
    return f"{kind}-{edition.pk}-{language or edition.locale.language_code}-"


def pdf_name(edition, digest, draft=False, language=None):
    """The stored PDF of an edition's content for readers of `language` (by default the
    edition's own)."""
    prefix = _prefix(edition, draft, language)
    return f"{PDF_DIR}/{prefix}{digest[:16]}-v{LAYOUT_VERSION}.pdf"


MAX_FETCHED_BYTES = 20 * 1024 * 1024  # what the PDF builder reads of one file at most


def local_url_fetcher(url, *args, **kwargs):
    """Only files of this site are read while a PDF is made, whatever a practice's text
    links to: image renditions through the default storage (the local disk or a bucket:
    the storage's own URLs, signed or not, are mapped back to a file's name), static files
    through the finders or the collected files, and data: URLs. Nothing else is fetched,
    and nothing over the network but the storage's own reads; media files other than
    renditions (originals, documents, expert photos) are refused like any other address
    (kx_platform.media_views.public_media_name), as are names with "..".

    WeasyPrint reads `_fail_on_errors` from any fetcher (set below): a refused address is
    logged and left out of the PDF, it does not stop the build."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

    from kx_platform.media_views import public_media_name

    def response(name, data, response_url):
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(response_url, data, {"Content-Type": content_type})

    def after(prefixes):
        for prefix in prefixes:
            if prefix and url.startswith(prefix):
                relative = unquote(url[len(prefix) :].split("?", 1)[0].split("#", 1)[0])
                parts = relative.split("/")
                if "\\" not in relative and not any(p in ("", ".", "..") for p in parts):
                    return relative
        return None

    if url.startswith("data:"):
        return URLFetcher(allowed_protocols={"data"}).fetch(url)

    probe = "kx-probe"
    try:
        storage_base = default_storage.url(probe).split("?", 1)[0].removesuffix(probe)
    except Exception:  # noqa: BLE001 - e.g. a bucket's URL cannot be signed: local URLs only
        logger.warning("The media storage gives no URL; only MEDIA_URL is read", exc_info=True)
        storage_base = None
    media_prefixes = {settings.MEDIA_URL, storage_base} - {None}
    media_prefixes |= {f"file://{p}" for p in media_prefixes if p.startswith("/")}
    name = public_media_name(after(sorted(media_prefixes, key=len, reverse=True)) or "")
    if name:
        try:
            with default_storage.open(name, "rb") as handle:
                data = handle.read(MAX_FETCHED_BYTES + 1)
        except (OSError, SuspiciousFileOperation):
            data = None
        if data is not None and len(data) <= MAX_FETCHED_BYTES:
            # Not a file: URL, so that WeasyPrint reads these bytes, not a path on the host.
            return response(name, data, f"{settings.MEDIA_URL}{name}")

    relative = after([f"file://{settings.STATIC_URL}", settings.STATIC_URL])
    if relative:
        found = finders.find(relative)
        if found and Path(found).is_file():
            return response(relative, Path(found).read_bytes(), Path(found).resolve().as_uri())
        if staticfiles_storage.exists(relative):
            with staticfiles_storage.open(relative, "rb") as handle:
                return response(relative, handle.read(), f"{settings.STATIC_URL}{relative}")
    raise URLFetchingError(f"Not fetched while making a PDF: {url}")


local_url_fetcher._fail_on_errors = False


def _direction(language):
    return "rtl" if translation.get_language_info(language)["bidi"] else "ltr"


def render_html(content, language=None, draft=False):
    """The HTML of the PDF for readers of `language` (by default the edition's own)."""
    content = localise(content, language or content["language"])
    language = content["language"]
    with translation.override(language):
        return render_to_string(
            "practices/guidebook/pdf.html",
            {
                "content": content,
                "toc": table_of_contents(content),
                "language": language,
                "direction": _direction(language),
                "edition_language": content["edition_language"],
                "edition_direction": _direction(content["edition_language"]),
                "draft": draft,
            },
        )


def _css_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def draft_stylesheet(language):
    """DRAFT in the page margin of every page (the cover, without margins, has its own)."""
    with translation.override(language):
        mark = _css_string(gettext("DRAFT"))
    corner = "top-left" if _direction(language) == "rtl" else "top-right"
    return (
        f"@page {{ @{corner} {{ content: {mark}; font: bold 11pt 'Noto Sans', "
        f"'Noto Kufi Arabic', sans-serif; color: #b00020; }} }}"
        f"@page cover {{ @{corner} {{ content: none; }} }}"
    )


def render_pdf(content, language=None, draft=False):
    """The PDF of an edition's content, as bytes: tagged (PDF/UA-1: structure tree,
    document language and title) so that screen readers can read it."""
    from weasyprint import CSS, HTML

    html_text = render_html(content, language, draft)
    language = language or content["language"]
    stylesheets = [CSS(filename=str(STYLESHEET))]
    if draft:
        stylesheets.append(CSS(string=draft_stylesheet(language)))
    html = HTML(string=html_text, base_url="/", url_fetcher=local_url_fetcher)
    return html.write_pdf(stylesheets=stylesheets, pdf_variant="pdf/ua-1")


def cached_pdf(edition, content, digest, draft=False, language=None):
    """The storage name of the edition's PDF, built here if it is not cached yet."""
    name = pdf_name(edition, digest, draft, language)
    if default_storage.exists(name):
        return name
    data = render_pdf(content, language, draft)
    prefix = _prefix(edition, draft, language)
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


# --- building a published edition's PDF on the worker, out of readers' requests -------
def _build_key(edition_pk, language):
    return f"kx:guidebook-pdf:{edition_pk}:{language or ''}"


def is_building(edition_pk, language=None):
    return cache.get(_build_key(edition_pk, language)) is not None


def request_build(edition_pk, language=None):
    """Have the worker build the edition's PDF for readers of `language` (by default the
    edition's own) unless a build of it is already queued or running; returns whether one
    was queued. The mark is in the shared cache, so it holds across processes and hosts;
    it expires after BUILD_STALE_AFTER, so a build lost with its worker is queued again."""
    from practices.tasks import build_guidebook_pdf

    timeout = int(BUILD_STALE_AFTER.total_seconds())
    if not cache.add(_build_key(edition_pk, language), timezone.now().isoformat(), timeout):
        return False
    background.enqueue(build_guidebook_pdf, edition_pk, language)
    return True


def build(edition_pk, language=None):
    """Build the PDF of the edition's frozen content for readers of `language`, and again
    if the edition was republished meanwhile; then let the next request queue a build."""
    try:
        built = None
        while True:
            snapshot = _snapshots(edition_pk).select_related("guidebook__locale").first()
            if snapshot is None or snapshot.content_hash == built:
                return
            cached_pdf(
                snapshot.guidebook, snapshot.content, snapshot.content_hash, language=language
            )
            built = snapshot.content_hash
    finally:
        cache.delete(_build_key(edition_pk, language))


def _snapshots(edition_pk):
    from practices.models import GuidebookSnapshot

    return GuidebookSnapshot.objects.filter(guidebook_id=edition_pk)
