"""Account rules: a seeded or admin-created account must choose its own password first; every
change of what an account or a role may do is in the audit log."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from pandu.audit import audit_record
from pandu.models import AccountSecurity, AuditEvent
from pandu.roles import ROLE_PERMISSIONS


def account_require_password_change(*, user) -> None:
    AccountSecurity.objects.update_or_create(user=user, defaults={"must_change_password": True})


def account_password_changed(*, user) -> None:
    AccountSecurity.objects.update_or_create(
        user=user, defaults={"must_change_password": False, "password_changed_at": timezone.now()}
    )


def must_change_password(user) -> bool:
    if not user.is_authenticated:
        return False
    return AccountSecurity.objects.filter(user=user, must_change_password=True).exists()


class ForcePasswordChangeMiddleware:
    """Until the account has chosen its own password, every page leads to the password form."""

    ALLOWED_NAMES = ("password_change", "password_change_done", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and must_change_password(user):
            allowed = {reverse(name) for name in self.ALLOWED_NAMES}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect(f"{reverse('password_change')}?forced=1")
        return self.get_response(request)


# --- Who may do what: accounts and roles, before and after each change --------------------------

NO_ACCESS = {"is_active": False, "is_staff": False, "is_superuser": False, "groups": [], "permissions": []}


def _permission_names(permissions) -> list[str]:
    return sorted(
        permissions.annotate(full_name=Concat(F("content_type__app_label"), Value("."), F("codename")))
        .values_list("full_name", flat=True)
    )


def account_access(user) -> dict:
    """What the account may do as stored (not as a form holds it): its flags, its roles
    (groups) and its own permissions. An account not saved (or deleted) has NO_ACCESS."""
    flags = (
        get_user_model().objects.filter(pk=user.pk).values("is_active", "is_staff", "is_superuser").first()
        if user.pk is not None
        else None
    )
    if flags is None:
        return dict(NO_ACCESS)
    return {
        **flags,
        "groups": sorted(Group.objects.filter(user=user.pk).values_list("name", flat=True)),
        "permissions": _permission_names(Permission.objects.filter(user=user.pk)),
    }


def _difference(key: str, before, after) -> str:
    if isinstance(after, list):
        added, removed = sorted(set(after) - set(before)), sorted(set(before) - set(after))
        return f"{key} " + " ".join([*(f"+{name}" for name in added), *(f"-{name}" for name in removed)])
    return f"{key} {before} → {after}"


def account_access_record(*, user, before: dict, changed_by, request=None, via: str = "") -> AuditEvent | None:
    """One PERMISSION_CHANGE audit event when the account's stored access differs from
    ``before`` (``account_access`` read before the change; NO_ACCESS for a new account), with
    both in its detail. Nothing when nothing changed."""
    after = account_access(user)
    changed = [key for key in after if before.get(key) != after[key]]
    if not changed:
        return None
    detail = {"before": before, "after": after, "changed": changed}
    if via:
        detail["via"] = via
    return audit_record(
        user=changed_by,
        action=AuditEvent.Action.PERMISSION_CHANGE,
        obj=user,
        summary=f"access of {user.get_username()}: "
        + "; ".join(_difference(key, before[key], after[key]) for key in changed),
        detail=detail,
        request=request,
    )


def role_permissions(group) -> list[str]:
    """The permissions of a role (group) as stored, ``app_label.codename``; [] for a new one."""
    if group.pk is None:
        return []
    return _permission_names(Permission.objects.filter(group=group.pk))


def role_permissions_record(*, group, before: list[str], changed_by, request=None, via: str = "") -> AuditEvent | None:
    """One PERMISSION_CHANGE audit event when a role's permissions differ from ``before``: every
    account of the role gains or loses them."""
    after = role_permissions(group)
    if after == before:
        return None
    detail = {"before": before, "after": after}
    if via:
        detail["via"] = via
    return audit_record(
        user=changed_by,
        action=AuditEvent.Action.PERMISSION_CHANGE,
        obj=group,
        summary=f"permissions of role {group.name}: " + _difference("", before, after).strip(),
        detail=detail,
        request=request,
    )


@transaction.atomic
def role_permissions_grant(*, changed_by=None, via: str = "") -> int:
    """Give each role the admin permissions ROLE_PERMISSIONS names (idempotent; what a superuser
    added besides stays). Returns how many were added; a name without its permission (a
    migration not applied) raises LookupError."""
    added = 0
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = set(names)
        permissions = list(
            Permission.objects.annotate(full_name=Concat(F("content_type__app_label"), Value("."), F("codename")))
            .filter(full_name__in=wanted)
        )
        missing = wanted - {permission.full_name for permission in permissions}
        if missing:
            raise LookupError(f"permissions not found for role {role}: {sorted(missing)}")
        before = role_permissions(group)
        new = [permission for permission in permissions if permission.full_name not in before]
        if new:
            group.permissions.add(*new)
            role_permissions_record(group=group, before=before, changed_by=changed_by, via=via)
            added += len(new)
    return added
