"""Uploaded photos: only real images, size- and pixel-capped, re-encoded without EXIF (GPS).

Every photo in Pandu (person, house, verivali survey) and every image attachment goes
through ``process_image``; what it returns is a fresh JPEG made from decoded pixels, so
nothing of the uploaded file (metadata, appended payloads) survives.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
MAX_SIDE = 2000
THUMB_SIDE = 320


@dataclass(frozen=True)
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _encode(img: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=85, optimize=True)  # no exif= argument: nothing is copied
    return ContentFile(buffer.getvalue(), name=name)


def process_image(upload, *, max_bytes: int | None = None, max_pixels: int | None = None) -> ProcessedImage:
    """Verify and re-encode an uploaded image or raise ValidationError with a readable reason."""
    max_bytes = max_bytes or settings.UPLOAD_IMAGE_MAX_BYTES
    max_pixels = max_pixels or settings.UPLOAD_IMAGE_MAX_PIXELS
    size = getattr(upload, "size", None)
    if size is None or size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("The photo is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(size / 1_048_576, 1), "limit": round(max_bytes / 1_048_576, 1)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise ValidationError(_("Only photos (JPEG, PNG, WebP) are accepted."), code="format")
            if probe.width * probe.height > max_pixels:
                raise ValidationError(_("The photo has too many pixels."), code="pixels")
            probe.verify()  # structure check; the image must be reopened after verify()
            img = Image.open(io.BytesIO(data))
            img.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("This file is not a photo, or it is damaged."), code="not_image") from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(_("This file is not a photo, or it is damaged."), code="not_image") from None
    img = ImageOps.exif_transpose(img)  # keep the orientation the phone meant, then drop EXIF
    img = img.convert("RGB")
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    thumb = img.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return ProcessedImage(
        image=_encode(img, "photo.jpg"),
        thumbnail=_encode(thumb, "thumb.jpg"),
        width=img.width,
        height=img.height,
    )
