"""``Idempotency-Key`` on POSTs: the first answer is kept with the key (per token, for
``API_IDEMPOTENCY_HOURS``); a retry with the same key and body gets it again and does nothing.

The key's row is written in the same transaction as the work: a second request with the key
while the first runs waits for it on the unique index, then gets the first's answer. The same
key with another body or path is refused (422). An unexpected error (500) keeps nothing: the
work rolled back, so a retry does it.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.errors import IdempotencyKeyReused
from api.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEPT_HEADERS = ("ETag", "Location")


def _fingerprint(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    items = sorted(data.lists()) if hasattr(data, "lists") else sorted((data or {}).items())
    for name, value in items:
        digest.update(json.dumps([name, value], sort_keys=True, default=str).encode())
    for name, upload in sorted(request.FILES.items()):
        digest.update(name.encode())
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
    return digest.hexdigest()


def _replay(record: IdempotencyKey, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return Response(record.response_body, status=record.response_status,
                    headers={**record.response_headers, "Idempotent-Replayed": "true"})


def idempotent(handler):
    """Decorate an API view's ``post``."""

    @functools.wraps(handler)
    def post(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > 255:
            raise exceptions.ValidationError({HEADER: ["Send 1 to 255 characters."]})
        fingerprint = _fingerprint(request)
        token = request.auth
        expired = timezone.now() - datetime.timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
        with transaction.atomic():
            IdempotencyKey.objects.filter(token=token, key=key, created_at__lt=expired).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(token=token, key=key, fingerprint=fingerprint,
                                                           path=request.path[:255])
            except IntegrityError:
                return _replay(IdempotencyKey.objects.get(token=token, key=key), fingerprint)
            try:
                response = handler(view, request, *args, **kwargs)
            except Exception as exc:  # an API error is an answer to keep; anything else re-raises
                response = view.handle_exception(exc)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            record.response_status = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
            record.response_headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            record.save(update_fields=["response_status", "response_body", "response_headers"])
        return response

    return post


def idempotency_keys_purge(*, at: datetime.datetime | None = None) -> int:
    expired = (at or timezone.now()) - datetime.timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=expired).delete()
    return deleted
