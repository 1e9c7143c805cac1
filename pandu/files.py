"""Private files (photos, attachments): stored outside any public URL, streamed by views
that have checked the viewer's role and the object first."""

from __future__ import annotations

import mimetypes
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="pandu.files.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private, with no URL. Follows MEDIA_ROOT when a setting changes (tests)."""

    def __init__(self):
        super().__init__(base_url=None)

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "private")

    @property
    def base_url(self):
        return None


private_storage = PrivateStorage()


def private_files():
    """The storage of every private file field, as a callable so migrations do not freeze a
    machine's path."""
    return private_storage


def private_file_response(fieldfile, *, filename: str | None = None, inline: bool = True) -> FileResponse:
    """Stream a private file. Call only after the permission check."""
    if not fieldfile:
        raise Http404
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(fieldfile.name)[0] or "application/octet-stream"
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not inline,
        filename=filename or fieldfile.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
