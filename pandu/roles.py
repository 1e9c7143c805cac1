"""The office's roles (Django groups) and the checks views use.

A role is a group; office-wide rights are checked here. Object access (which
referral, which assignment) is decided by each app's ``get_<x>_for_user`` helper.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

FRONT_DESK = "front_desk"
DATA_OFFICER = "data_officer"
DESK_OFFICER = "desk_officer"
CASE_WORKER = "case_worker"
SURVEYOR = "surveyor"
VALIDATOR = "validator"
HEAD = "head"
ADMIN = "admin"

ROLE_LABELS = {
    FRONT_DESK: _("Front desk"),
    DATA_OFFICER: _("Data officer"),
    DESK_OFFICER: _("Desk officer"),
    CASE_WORKER: _("Case worker"),
    SURVEYOR: _("Surveyor"),
    VALIDATOR: _("Validator"),
    HEAD: _("Head of office"),
    ADMIN: _("Administrator"),
}
ALL_ROLES = tuple(ROLE_LABELS)

# Roles that register households and persons (and carry the visit they serve from page to page).
REGISTER_ROLES = (FRONT_DESK, DATA_OFFICER, ADMIN)

# Roles that work with whole person records and see full NIKs.
FULL_NIK_ROLES = frozenset({FRONT_DESK, DATA_OFFICER, VALIDATOR, HEAD, ADMIN})

# Roles that can export the whole registry: they sign in with a second factor (TOTP) as well.
SECOND_FACTOR_ROLES = frozenset({DATA_OFFICER, HEAD, ADMIN})


def _model_permissions(label: str, *actions: str) -> list[str]:
    app_label, model = label.split(".")
    return [f"{app_label}.{action}_{model}" for action in actions]


# What a role may do in the Django admin (``app_label.codename``); Pandu's own pages check the
# role itself. The administrator (district IT) manages accounts and their roles, desks,
# providers, services, desk assignments, reference data and scorecard versions, unlocks
# accounts, reads the audit log and follows the merges of duplicate persons (ids and dates). It is staff, not superuser: persons, households and their
# records are changed in Pandu's pages (the admin only lists them), and the rights of the roles
# are set here, by ``load_reference_data``, or by a superuser.
# The other roles (the case worker, Sakti Peksos, among them) work only in Pandu's own pages:
# they have no admin permissions.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMIN: [
        *_model_permissions("auth.user", "view", "add", "change"),
        *_model_permissions("auth.group", "view", "add", "change"),
        *_model_permissions("pandu.accountsecurity", "view", "add", "change"),
        *_model_permissions("desks.provider", "view", "add", "change"),
        *_model_permissions("desks.service", "view", "add", "change"),
        *_model_permissions("desks.desk", "view", "add", "change"),
        *_model_permissions("desks.deskassignment", "view", "add", "change", "delete"),
        *_model_permissions("clients.region", "view", "add", "change"),
        *_model_permissions("clients.pmkscategory", "view", "add", "change"),
        *_model_permissions("clients.complaintdeadline", "view", "change"),
        *_model_permissions("clients.programme", "view", "add", "change"),
        *_model_permissions("clients.personmerge", "view"),
        *_model_permissions("desks.eligibilityrule", "view", "add", "change", "delete"),
        *_model_permissions("pandu.auditevent", "view"),
        *_model_permissions("pandu.officeidentity", "view", "add", "change"),
        *_model_permissions("pandu.officecalendarday", "view", "add", "change", "delete"),
        *_model_permissions("verivali.scorecardversion", "view", "add", "change", "delete"),
        *_model_permissions("verivali.indicator", "view", "add", "change", "delete"),
        *_model_permissions("verivali.classband", "view", "add", "change", "delete"),
        *_model_permissions("axes.accessattempt", "view", "delete"),
        *_model_permissions("axes.accessfailurelog", "view"),
        *_model_permissions("axes.accesslog", "view"),
        *_model_permissions("api.apitoken", "view", "change"),
        *_model_permissions("api.webhook", "view", "add", "change", "delete"),
        *_model_permissions("api.webhookdelivery", "view", "change"),
    ],
}


def user_roles(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_pandu_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        if user.is_superuser:
            names.add(ADMIN)
        cached = frozenset(names)
        user._pandu_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def sees_full_nik(user) -> bool:
    return has_role(user, *FULL_NIK_ROLES)


def role_required(*roles: str):
    """Anonymous users go to the login page; a logged-in user without the role gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.pandu_roles = roles
        return wrapped

    return decorator
