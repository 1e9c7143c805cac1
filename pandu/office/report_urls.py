"""The monthly reports (Laporan bulanan UPTD-PTKS)."""

from django.urls import path

from pandu.office import report_views

app_name = "reports"

urlpatterns = [
    path("", report_views.report_list, name="list"),
    path("make/", report_views.report_request, name="request"),
    path("<int:pk>/", report_views.report_detail, name="detail"),
    path("<int:pk>/approve/", report_views.report_approve, name="approve"),
    path("<int:pk>/pdf/", report_views.report_file, {"kind": "pdf"}, name="pdf"),
    path("<int:pk>/xlsx/", report_views.report_file, {"kind": "xlsx"}, name="xlsx"),
]
