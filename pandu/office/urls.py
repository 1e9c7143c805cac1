"""The office's composed pages: each role's home and the head's dashboard."""

from django.urls import path

from pandu.office import dashboard_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/persons/", dashboard_views.drill_persons, name="drill_persons"),
    path("dashboard/households/", dashboard_views.drill_households, name="drill_households"),
    path("dashboard/tickets/", dashboard_views.drill_tickets, name="drill_tickets"),
    path("dashboard/referrals/", dashboard_views.drill_referrals, name="drill_referrals"),
    path("dashboard/complaints/", dashboard_views.drill_complaints, name="drill_complaints"),
]
