from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pandu import auth_views as pandu_auth
from pandu import views
from pandu.auth_views import LogoutView, PasswordChangeView

urlpatterns = [
    path("health/", views.health, name="health"),
    path("office/logo.png", views.office_logo, name="office_logo"),
    path("", include("pandu.office.urls")),
    path("reports/", include("pandu.office.report_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/second-factor/", pandu_auth.second_factor_verify, name="second_factor_verify"),
    path("accounts/second-factor/setup/", pandu_auth.second_factor_setup, name="second_factor_setup"),
    path("accounts/second-factor/recovery-codes/", pandu_auth.second_factor_recovery_codes,
         name="second_factor_recovery_codes"),
    path("accounts/second-factor/reset/<int:user_id>/", pandu_auth.second_factor_reset, name="second_factor_reset"),
    path("queue/", include("desks.urls")),
    path("audit/", include("clients.audit_urls")),
    path("verivali/", include("verivali.urls")),
    path("registry/", include("clients.registry.urls")),
    path("registry/duplicates/", include("clients.duplicates.urls")),
    path("clients/", include("clients.urls")),
    path("clients/", include("pandu.office.privacy.urls")),
    path("referrals/", include("referrals.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "pandu.errors.permission_denied"
handler404 = "pandu.errors.page_not_found"
handler500 = "pandu.errors.server_error"
