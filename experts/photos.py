"""Checks an uploaded photo with Pillow and re-encodes it without its metadata.

Only JPEG, PNG and WebP; at most 5 MB and 4000 x 4000 pixels; decompression bombs are
refused before anything is decoded. Re-encoding drops EXIF (GPS positions, camera
serial numbers), which could expose an expert.
"""

import io
import warnings
from pathlib import Path

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 4000
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


class PhotoField(forms.ImageField):
    default_error_messages = {
        "invalid_image": _("Upload a photo in JPEG, PNG or WebP format."),
        "too_big": _("The photo is too large: at most 5 MB."),
        "too_many_pixels": _(
            "The photo is too large: at most %(max)d × %(max)d pixels (this one is "
            "%(width)d × %(height)d)."
        ),
        "bomb": _(
            "This image declares far more pixels than a photo needs and was refused as unsafe."
        ),
    }

    def to_python(self, data):
        # Deliberately not super().to_python: Django's check turns every Pillow error,
        # bombs included, into one vague message and decodes before checking the size.
        data = forms.FileField.to_python(self, data)
        if data is None:
            return None
        if data.size is not None and data.size > MAX_BYTES:
            raise forms.ValidationError(self.error_messages["too_big"], code="too_big")
        raw = data.read() if not hasattr(data, "temporary_file_path") else None
        source = io.BytesIO(raw) if raw is not None else data.temporary_file_path()
        image = self._open(source)
        clean = self._reencode(image)
        extension, content_type = FORMATS[image.format]
        name = f"{Path(data.name or 'photo').stem[:50] or 'photo'}.{extension}"
        result = SimpleUploadedFile(name, clean, content_type=content_type)
        result.image = Image.open(io.BytesIO(clean))
        return result

    def _open(self, source):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(source)
                if image.format not in FORMATS:
                    raise forms.ValidationError(
                        self.error_messages["invalid_image"], code="invalid_image"
                    )
                width, height = image.size
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise forms.ValidationError(
                        self.error_messages["too_many_pixels"],
                        code="too_many_pixels",
                        params={"max": MAX_SIDE, "width": width, "height": height},
                    )
                image.verify()  # structure and checksums; the image is unusable afterwards
                if hasattr(source, "seek"):
                    source.seek(0)
                image = Image.open(source)
                image.load()  # a full decode catches truncated data
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise forms.ValidationError(self.error_messages["bomb"], code="bomb") from None
        except forms.ValidationError:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise forms.ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from None
        return image

    @staticmethod
    def _reencode(image):
        fmt = image.format
        oriented = ImageOps.exif_transpose(image)
        mode = oriented.mode
        if fmt == "JPEG" and mode not in ("RGB", "L"):
            oriented = oriented.convert("RGB")
        elif fmt in ("PNG", "WEBP") and mode not in ("RGB", "RGBA", "L", "LA"):
            oriented = oriented.convert("RGBA")
        # A fresh image carries pixels only: no EXIF, XMP, ICC or text chunks.
        bare = Image.frombytes(oriented.mode, oriented.size, oriented.tobytes())
        out = io.BytesIO()
        options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {"optimize": True}
        bare.save(out, format=fmt, **options)
        return out.getvalue()
