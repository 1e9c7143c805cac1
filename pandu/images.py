"""Uploaded images: only real images, size- and pixel-capped, decoded before anything keeps
them. Photos (``clients.images``) and the office's letterhead logo (``pandu.office.admin``) are
re-encoded from the decoded pixels, so nothing of the uploaded file (metadata, appended
payloads, scripts of an SVG) survives."""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}


def image_open_verified(upload, *, max_bytes: int | None = None, max_pixels: int | None = None) -> Image.Image:
    """The decoded image of an upload, or ValidationError with a readable reason."""
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
    return img
