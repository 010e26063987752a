"""MEDIA_URL with media on the local disk: only what every reader may see is served here.

Under MEDIA_ROOT live Wagtail's original images (original_images/), their renditions
(images/), Wagtail's documents (documents/), expert photos (experts/photos/) and the
guidebook PDFs (guidebook/). Pages show images as renditions (`{% image %}` gives
MEDIA_URL + images/...); documents go through Wagtail's view (collection privacy,
Content-Disposition; WAGTAILDOCS_SERVE_METHOD), expert photos through
experts.views.profile_photo (the photo's visibility tier) and guidebook PDFs through
practices.guidebook_views. So this view serves image renditions only, read from the default
storage, and answers 404 for anything else: an original, a document, a photo, a PDF, a
directory, a name with "..". Nothing here is served by whitenoise (static files only), and
Django's own static() helper, which serves the whole directory, is not used even in
development.

With media in a bucket (KX_MEDIA_S3_BUCKET) the storage's own signed URLs are used and this
view is not mounted (kx_platform.urls).
"""

import posixpath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import condition, require_safe

RENDITIONS_DIR = "images"
# Raster formats only: an SVG opened from the site's origin could run script.
IMAGE_TYPES = {
    ".avif": "image/avif",
    ".gif": "image/gif",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
# A rendition's name changes with its image's file and its filter (Wagtail), so a reader
# may keep it for a long time.
RENDITION_CACHE_CONTROL = "public, max-age=31536000"


def public_media_name(name):
    """The storage name of a public media file (an image rendition), or None: `name` is
    the part of a URL after MEDIA_URL, already percent-decoded."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return None
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts) or posixpath.normpath(name) != name:
        return None
    if len(parts) != 2 or parts[0] != RENDITIONS_DIR:
        return None
    if posixpath.splitext(parts[1])[1].lower() not in IMAGE_TYPES:
        return None
    return name


def _last_modified(request, name):
    storage_name = public_media_name(name)
    if storage_name is None:
        return None
    try:
        return default_storage.get_modified_time(storage_name)
    except (OSError, NotImplementedError, SuspiciousFileOperation):
        return None


@require_safe
@condition(last_modified_func=_last_modified)
def serve_media(request, name):
    storage_name = public_media_name(name)
    if storage_name is None:
        raise Http404
    try:
        handle = default_storage.open(storage_name, "rb")
    except (OSError, SuspiciousFileOperation):  # missing, a directory, outside the root
        raise Http404 from None
    extension = posixpath.splitext(storage_name)[1].lower()
    response = FileResponse(handle, content_type=IMAGE_TYPES[extension])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = RENDITION_CACHE_CONTROL
    return response


__all__ = ["IMAGE_TYPES", "public_media_name", "serve_media"]
