from __future__ import annotations

from django.db import models

from clients.models import AuditEvent


def _client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
        summary=summary[:255],
        detail=detail or {},
        ip_address=_client_ip(request),
    )
