"""Logins, logouts and failed logins go to the audit log (UU 27/2022: who accessed what, when)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.crypto import salted_hmac

from pandu.audit import audit_record
from pandu.models import AuditEvent


@receiver(user_logged_in, dispatch_uid="pandu_audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit_record(user=user, action=AuditEvent.Action.LOGIN, request=request)


@receiver(user_logged_out, dispatch_uid="pandu_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(user=user, action=AuditEvent.Action.LOGOUT, request=request)


def typed_name_digest(text: str) -> str:
    """What a failed login typed as the user name, kept only as a keyed hash: people type a
    password there by mistake. The same name always gives the same digest, so the log still
    shows repeated tries at one account (compare with ``typed_name_digest("kepala")``)."""
    return salted_hmac("pandu.failed-login", text.strip().lower()).hexdigest()[:16]


@receiver(user_login_failed, dispatch_uid="pandu_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        user=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        summary=f"user name hash {typed_name_digest(str(credentials.get('username', '')))}",
        request=request,
    )
