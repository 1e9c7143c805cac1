from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pandu import dashboard_views, views
from pandu.auth_views import PasswordChangeView

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/persons/", dashboard_views.drill_persons, name="drill_persons"),
    path("dashboard/households/", dashboard_views.drill_households, name="drill_households"),
    path("dashboard/tickets/", dashboard_views.drill_tickets, name="drill_tickets"),
    path("dashboard/referrals/", dashboard_views.drill_referrals, name="drill_referrals"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
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
    path("queue/", include("desks.urls")),
    path("audit/", include("clients.audit_urls")),
    path("verivali/", include("verivali.urls")),
    path("registry/", include("clients.registry.urls")),
    path("clients/", include("clients.urls")),
    path("referrals/", include("referrals.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "pandu.errors.permission_denied"
handler404 = "pandu.errors.page_not_found"
handler500 = "pandu.errors.server_error"
