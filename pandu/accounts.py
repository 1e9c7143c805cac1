"""Account rules: a seeded or admin-created account must choose its own password first."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from pandu.models import AccountSecurity


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
