from __future__ import annotations

from django.db import models, transaction

from clients.models import AuditEvent, Household, RegistryChange


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


@transaction.atomic
def household_set_registry_status(
    *,
    household: Household,
    status: str,
    changed_by=None,
    source: str | None = None,
    year: int | None = None,
    reason: str = "",
    reference: str = "",
) -> Household:
    """Change a household's registry status and keep the history of what it was and why."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    new_source = household.registry_source if source is None else source
    new_year = household.registry_year if year is None and source is None else year
    RegistryChange.objects.create(
        household=household,
        from_status=household.registry_status,
        to_status=status,
        source=new_source,
        year=new_year,
        reason=reason[:255],
        reference=reference[:120],
        changed_by=changed_by,
    )
    household.registry_status = status
    household.registry_source = new_source
    household.registry_year = new_year
    household.save(update_fields=["registry_status", "registry_source", "registry_year", "updated_at"])
    return household
