"""What the Django admin may do with personal data: list it, export it with a log entry, and
send the reader to Pandu's own pages for everything else.

Records of persons, households and their cases change only through the apps' services, which
keep the registry history, the audit log and the anonymisation lock; opening one is logged by
the app's page. The admin's own forms would do none of that, so for these models it adds,
changes and deletes nothing, and its "change" page redirects to the record's page in Pandu
(which checks the role and logs the opening).
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from pandu.audit import audit_record
from pandu.models import AuditEvent


class ReadOnlyAdmin:
    """Listed and read in the admin, never added, changed or deleted there: the records are
    written by the application (the audit log, merges of persons)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordInAppAdmin(ReadOnlyAdmin):
    """A list to find records by; each opens on its page in Pandu (``app_url_name``, reversed
    with the record's pk). No add, change or delete here."""

    app_url_name: str = ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return redirect(reverse(self.app_url_name, args=[obj.pk]))


class AuditedExportMixin(ExportMixin):
    """django-import-export's export button, logged like every other export of Pandu: one
    EXPORT event with the model, the number of rows, the format, the columns and the filter
    of the list, written before the file is sent. CSV and XLSX only (formulas escaped by the
    resources)."""

    export_formats = [base_formats.CSV, base_formats.XLSX]

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        rows = queryset.count()
        extension = file_format.get_extension()
        columns = self.get_export_resource_fields_from_form(kwargs.get("export_form"))
        audit_record(
            user=request.user,
            action=AuditEvent.Action.EXPORT,
            summary=f"admin export of {self.opts.label_lower}: {rows} rows, {extension}",
            detail={
                "source": "admin",
                "model": self.opts.label_lower,
                "rows": rows,
                "format": extension,
                "columns": list(columns) if columns else "all",
                "filters": {key: value for key, value in request.GET.items()},
            },
            request=request,
        )
        return data
