"""Uploaded photos: only real images (``pandu.images``), size- and pixel-capped, re-encoded
without EXIF (GPS).

Every photo in Pandu (person, house, verivali survey) and every image attachment goes
through ``process_image``; what it returns is a fresh JPEG made from decoded pixels, so
nothing of the uploaded file (metadata, appended payloads) survives.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from pandu.images import image_open_verified

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
    img = image_open_verified(upload, max_bytes=max_bytes, max_pixels=max_pixels)
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
