"""The audit log's one writer: who looked at or moved personal data (UU 27/2022)."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

from pandu.http import client_ip
from pandu.models import AuditEvent


def _without_nul(value):
    """PostgreSQL refuses NUL in text and in jsonb: audit what was sent, minus that."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(item) for item in value]
    return value


def audit_record(
    *,
    user,
    action: str,
    obj: models.Model | None = None,
    summary: str = "",
    detail: dict | None = None,
    request=None,
) -> AuditEvent:
    """Append one audit event. Called explicitly by the views that show or move personal data."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=_without_nul(summary)[:255],
        detail=_without_nul(detail or {}),
        ip_address=client_ip(request),
    )


def recent_events(*, user, action: str, seconds: int) -> int:
    """How many events of this kind the user caused in the last ``seconds``."""
    since = timezone.now() - datetime.timedelta(seconds=seconds)
    return AuditEvent.objects.filter(user=user, action=action, at__gte=since).count()
