from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from pandu.accounts import account_password_changed, must_change_password


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
