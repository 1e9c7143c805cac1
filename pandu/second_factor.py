"""The second factor (TOTP, django-otp) of the roles that can export the whole registry.

A user of ``roles.SECOND_FACTOR_ROLES`` signs in with a password and then a code: a 6-digit
code from an authenticator app (a ``TOTPDevice``) or one of ten single-use recovery codes (a
``StaticDevice``). Without a confirmed app the first login sets one up. Until the session is
verified, ``SecondFactorMiddleware`` lets the user reach only these pages and logout.

Wrong codes count like wrong passwords: ``AXES_FAILURE_LIMIT`` of them since the last success
lock the second factor for ``AXES_COOLOFF_TIME`` hours. They are counted in the audit log, which
records every enrolment, code, recovery code and reset anyway.
"""

from __future__ import annotations

import datetime

import django_otp
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pandu.accounts import must_change_password
from pandu.audit import audit_record
from pandu.models import AccountSecurity, AuditEvent
from pandu.roles import SECOND_FACTOR_ROLES, has_role

Action = AuditEvent.Action

APP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"
# The recovery codes of a fresh enrolment, shown once on the next page, then dropped.
FRESH_CODES_SESSION_KEY = "pandu_fresh_recovery_codes"


class SecondFactorLocked(Exception):
    """Too many wrong codes: no code is checked until ``until``."""

    def __init__(self, until: datetime.datetime):
        super().__init__(until)
        self.until = until


def second_factor_exempt(user) -> bool:
    return AccountSecurity.objects.filter(user=user, second_factor_exempt=True).exists()


def second_factor_required(user) -> bool:
    """Whether this account must sign in with a second factor."""
    return (
        getattr(user, "is_authenticated", False)
        and has_role(user, *SECOND_FACTOR_ROLES)
        and not second_factor_exempt(user)
    )


def app_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def session_verified(request) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


# --- Wrong codes -----------------------------------------------------------------------------


def _cooloff() -> datetime.timedelta:
    return datetime.timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def second_factor_locked_until(user) -> datetime.datetime | None:
    """When the lock after too many wrong codes ends; None if codes are checked. Counts the wrong
    codes since the last success (an enrolment, a code, a reset by the administrator) within the
    cool-off period."""
    since = timezone.now() - _cooloff()
    last_success = AuditEvent.objects.filter(
        Q(user=user, action__in=[Action.OTP_ENROL, Action.OTP_VERIFY, Action.OTP_RECOVERY])
        | Q(action=Action.OTP_RESET, object_type=user._meta.label_lower, object_id=str(user.pk)),
        at__gte=since,
    ).aggregate(last=Max("at"))["last"]
    failures = AuditEvent.objects.filter(user=user, action=Action.OTP_FAILED, at__gte=max(since, last_success or since))
    times = list(failures.order_by("-at").values_list("at", flat=True)[: settings.AXES_FAILURE_LIMIT])
    if len(times) < settings.AXES_FAILURE_LIMIT:
        return None
    # The lock ends when the oldest of these leaves the cool-off window.
    return times[-1] + _cooloff()


def _check_not_locked(user) -> None:
    until = second_factor_locked_until(user)
    if until is not None:
        raise SecondFactorLocked(until)


def _failed(*, user, request, stage: str) -> None:
    audit_record(user=user, action=Action.OTP_FAILED, summary=f"wrong code at {stage}", detail={"stage": stage},
                 request=request)


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


# --- Enrolment ---------------------------------------------------------------------------------


def second_factor_start(*, user) -> TOTPDevice:
    """The authenticator app being set up: the same secret until it is confirmed, so a reloaded
    page shows the QR code the user may have scanned already."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def _recovery_codes_make(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.SECOND_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def second_factor_confirm(*, request, code: str) -> list[str] | None:
    """Confirm the app being set up with a code it shows. On success the session is verified,
    older apps and recovery codes of the user go, and the new recovery codes are returned (to be
    shown once). None for a wrong code; SecondFactorLocked after too many."""
    user = request.user
    _check_not_locked(user)
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None or not device.verify_token(_normalise(code)):
        _failed(user=user, request=request, stage="enrolment")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _recovery_codes_make(user=user)
    django_otp.login(request, device)
    audit_record(user=user, action=Action.OTP_ENROL, obj=user,
                 summary=f"second factor set up by {user.get_username()}, {len(codes)} recovery codes", request=request)
    return codes


@transaction.atomic
def recovery_codes_renew(*, request) -> list[str]:
    """New recovery codes for a verified user; the old ones stop working."""
    codes = _recovery_codes_make(user=request.user)
    audit_record(user=request.user, action=Action.OTP_NEW_CODES, obj=request.user,
                 summary=f"new recovery codes for {request.user.get_username()}", request=request)
    return codes


# --- Login -------------------------------------------------------------------------------------


@transaction.atomic
def second_factor_verify(*, request, code: str) -> str | None:
    """Check a code from the app, or else a recovery code (used up by this). On success the
    session is verified and the kind of code is returned ("app" or "recovery"); None for a
    wrong code; SecondFactorLocked after too many."""
    user = request.user
    _check_not_locked(user)
    token = _normalise(code)
    for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(token):
            django_otp.login(request, device)
            audit_record(user=user, action=Action.OTP_VERIFY, request=request)
            return "app"
    for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(token):
            django_otp.login(request, device)
            left = recovery_codes_left(user)
            audit_record(user=user, action=Action.OTP_RECOVERY, obj=user,
                         summary=f"recovery code used by {user.get_username()}, {left} left",
                         detail={"left": left}, request=request)
            return "recovery"
    _failed(user=user, request=request, stage="login")
    return None


# --- The administrator's reset and the demo accounts' exemption --------------------------------


@transaction.atomic
def second_factor_reset(*, user, reset_by, request=None) -> int:
    """Remove the user's authenticator apps and recovery codes: at their next request they set
    up a new app (their open sessions included). Lifts a lock after wrong codes. Returns how
    many devices were removed."""
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    audit_record(user=reset_by, action=Action.OTP_RESET, obj=user,
                 summary=f"second factor of {user.get_username()} reset", detail={"devices_removed": removed},
                 request=request)
    return removed


def second_factor_exempt_set(*, user, exempt: bool, changed_by=None, via: str = "") -> bool:
    """Mark an account as exempt from the second factor (demo accounts of a training room) or
    not; a change is a change of access and goes to the audit log. Returns whether it changed."""
    security, _created = AccountSecurity.objects.get_or_create(user=user)
    if security.second_factor_exempt == exempt:
        return False
    security.second_factor_exempt = exempt
    security.save(update_fields=["second_factor_exempt"])
    audit_record(user=changed_by, action=Action.PERMISSION_CHANGE, obj=user,
                 summary=f"second factor of {user.get_username()}: exempt {not exempt} → {exempt}",
                 detail={"second_factor_exempt": {"before": not exempt, "after": exempt}, "via": via})
    return True


# --- The gate ----------------------------------------------------------------------------------


class SecondFactorMiddleware:
    """Until a user who needs a second factor has given a code in this session, every request
    but the second-factor pages, logout and the language switch (and the password form while a
    new password is due) leads to the code page, or to setting up an app if they have none.
    Runs after ForcePasswordChangeMiddleware: a first login chooses a password, then the app."""

    OPEN_NAMES = ("second_factor_setup", "second_factor_verify", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/"))
            and request.path not in {reverse(name) for name in self.OPEN_NAMES}
            and has_role(user, *SECOND_FACTOR_ROLES)
            and not session_verified(request)
            and not second_factor_exempt(user)
            and not self._password_form(request)
        ):
            return self._to_second_factor(request)
        return self.get_response(request)

    @staticmethod
    def _password_form(request) -> bool:
        return request.path == reverse("password_change") and must_change_password(request.user)

    @staticmethod
    def _to_second_factor(request):
        name = "second_factor_verify" if app_device(request.user) is not None else "second_factor_setup"
        url = reverse(name)
        passwords = {reverse("password_change"), reverse("password_change_done")}
        if request.method == "GET" and not getattr(request, "htmx", False) and request.path not in passwords:
            url += "?" + urlencode({"next": request.get_full_path()})
        response = redirect(url)
        if getattr(request, "htmx", False):
            response["HX-Redirect"] = url
        return response
