from django.urls import path

from clients.registry import views

app_name = "registry"

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/start/", views.import_start, name="import_start"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import_retry"),
    path("imports/<int:pk>/errors/", views.import_errors, name="import_errors"),
    path("exports/", views.export_list, name="export"),
    path("exports/proposal/", views.export_proposal, name="export_proposal"),
    path("programmes/", views.programme_lists, name="programme_lists"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/export/", views.proposals_export, name="proposals_export"),
]
