from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from pandu import second_factor
from pandu.accounts import account_password_changed, must_change_password
from pandu.roles import ADMIN, role_required


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also lifts the first-login obligation."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = must_change_password(self.request.user)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        account_password_changed(user=form.user)
        messages.success(self.request, _("Your password was changed."))
        return response


class LogoutView(auth_views.LogoutView):
    """Django's logout, which also tells the browser to drop what it keeps of the office's pages:
    its cache and local storage (survey drafts, offline data)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


# --- The second factor (pandu/second_factor.py) ------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off"}),
    )


def _next_url(request) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _locked(request, template: str, context: dict, locked: second_factor.SecondFactorLocked):
    until = timezone.localtime(locked.until)
    context["locked_until"] = until
    return render(request, template, context, status=429)


def _secret_text(device) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def second_factor_setup(request):
    """Set up an authenticator app: its QR code and secret, then one code from it to confirm."""
    if not second_factor.second_factor_required(request.user) or second_factor.app_device(request.user):
        return redirect(_next_url(request))
    device = second_factor.second_factor_start(user=request.user)
    form = CodeForm(request.POST or None)
    template = "registration/second_factor_setup.html"
    context = {
        "form": form,
        "qr_svg": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5, title=_("QR code"))),
        "secret": _secret_text(device),
    }
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.second_factor_confirm(request=request, code=form.cleaned_data["code"])
        except second_factor.SecondFactorLocked as locked:
            return _locked(request, template, context, locked)
        if codes is None:
            form.add_error("code", _("That code is not right. Type the 6 digits the app shows now."))
        else:
            request.session.cycle_key()  # a new session id for the verified session
            request.session[second_factor.FRESH_CODES_SESSION_KEY] = codes
            messages.success(request, _("The second factor is set up."))
            return redirect(f"{reverse('second_factor_recovery_codes')}?{urlencode({'next': _next_url(request)})}")
    return render(request, template, context)


@login_required
def second_factor_verify(request):
    """After the password: a code from the app or a recovery code."""
    if second_factor.session_verified(request) or not second_factor.second_factor_required(request.user):
        return redirect(_next_url(request))
    if second_factor.app_device(request.user) is None:
        return redirect(f"{reverse('second_factor_setup')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    template = "registration/second_factor_verify.html"
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            kind = second_factor.second_factor_verify(request=request, code=form.cleaned_data["code"])
        except second_factor.SecondFactorLocked as locked:
            return _locked(request, template, context, locked)
        if kind is None:
            form.add_error("code", _("That code is not right. Type the 6 digits the app shows now, or a recovery code."))
        else:
            request.session.cycle_key()  # a new session id for the verified session
            if kind == "recovery":
                left = second_factor.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code; it no longer works. %(left)d code is left: make new ones under Second factor in your menu.",
                        "You signed in with a recovery code; it no longer works. %(left)d codes are left: make new ones under Second factor in your menu.",
                        left,
                    ) % {"left": left},
                )
            return redirect(_next_url(request))
    return render(request, template, context)


@login_required
def second_factor_recovery_codes(request):
    """The recovery codes just made, shown once; a verified user can make new ones (POST)."""
    if not second_factor.session_verified(request):
        return redirect(_next_url(request))
    if request.method == "POST":
        request.session[second_factor.FRESH_CODES_SESSION_KEY] = second_factor.recovery_codes_renew(request=request)
        return redirect(request.get_full_path())
    codes = request.session.pop(second_factor.FRESH_CODES_SESSION_KEY, None)
    return render(request, "registration/second_factor_recovery.html", {
        "codes": codes,
        "left": second_factor.recovery_codes_left(request.user),
        "next_url": _next_url(request),
    })


@role_required(ADMIN)
def second_factor_reset(request, user_id: int):
    """The administrator removes an account's authenticator app and recovery codes (a lost
    phone): a confirmation page, then a POST. A superuser's only by a superuser."""
    account = get_object_or_404(get_user_model(), pk=user_id)
    if account.is_superuser and not request.user.is_superuser:
        raise PermissionDenied
    if request.method == "POST":
        second_factor.second_factor_reset(user=account, reset_by=request.user, request=request)
        messages.success(request, _("The second factor of %(user)s was reset: they set up a new app at their next login.")
                         % {"user": account.get_username()})
        return redirect("second_factor_reset", user_id=account.pk)
    return render(request, "registration/second_factor_reset.html", {
        "account": account,
        "app": second_factor.app_device(account),
        "codes_left": second_factor.recovery_codes_left(account),
        "required": second_factor.second_factor_required(account),
        "exempt": second_factor.second_factor_exempt(account),
    })
