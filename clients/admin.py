from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clients.models import (
    Complaint,
    ComplaintDeadline,
    Household,
    ImportJob,
    Person,
    PMKSCategory,
    Programme,
    Region,
)
from clients.resources import HouseholdResource, PersonResource
from pandu.admin_mixins import AuditedExportMixin, RecordInAppAdmin


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(PMKSCategory)
class PMKSCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_id", "name_en", "source", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name_id", "name_en")


@admin.register(Household)
class HouseholdAdmin(RecordInAppAdmin, AuditedExportMixin, admin.ModelAdmin):
    """Registry objects: listed and exported here (logged), opened and changed in Pandu, where
    the services keep the registry history and the audit log."""

    app_url_name = "clients:household_detail"
    resource_classes = [HouseholdResource]
    list_display = ("kk_number", "address", "village", "registry_status", "registry_source", "registry_year")
    list_filter = ("registry_status", "registry_source")
    list_select_related = ("village",)
    search_fields = ("=kk_number", "address")


@admin.register(Person)
class PersonAdmin(RecordInAppAdmin, AuditedExportMixin, admin.ModelAdmin):
    """Listed with the NIK masked (a whole NIK finds its person in the search box); opened and
    changed in Pandu, where an anonymised record stays locked and every opening is logged."""

    app_url_name = "clients:person_detail"
    resource_classes = [PersonResource]
    list_display = ("full_name", "masked_nik", "sex", "birth_date", "relationship", "life_status", "household")
    list_filter = ("sex", "relationship", "life_status")
    list_select_related = ("household",)
    search_fields = ("=nik", "full_name")

    @admin.display(description=_("NIK"))
    def masked_nik(self, obj):
        return obj.masked_nik


@admin.register(ImportJob)
class ImportJobAdmin(RecordInAppAdmin, admin.ModelAdmin):
    """Registry uploads: their files hold the registry's rows; the data desk's page shows them."""

    app_url_name = "registry:import_detail"
    list_display = ("pk", "original_name", "status", "result_line", "created_by", "created_at")
    list_filter = ("status",)


@admin.register(Complaint)
class ComplaintAdmin(RecordInAppAdmin, admin.ModelAdmin):
    """Complaints move through the data desk's page (its status changes keep who and why)."""

    app_url_name = "clients:complaint_detail"
    list_display = ("number", "kind", "status", "created_at", "received_by")
    list_filter = ("status", "kind")
    search_fields = ("number", "complainant_name")


@admin.register(ComplaintDeadline)
class ComplaintDeadlineAdmin(admin.ModelAdmin):
    """The days each kind of complaint may take, and which kinds a verivali decree settles: the
    office changes them here, without a deploy; a new complaint takes the days of the day it is
    received (those already received keep their due date)."""

    list_display = ("kind", "days", "settled_by_decree")
    list_editable = ("days", "settled_by_decree")
    readonly_fields = ("kind",)

    def has_add_permission(self, request):
        return False  # one row per kind, made by load_reference_data

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("kind",) if obj else ()


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """The programmes a family may receive: the national ones load with the reference data; the
    office adds local ones (a village's BLT, a company's CSR aid) here. Their code is what the
    agencies' lists write in the PROGRAM column."""

    list_display = ("code", "name", "level", "unit", "is_active")
    list_filter = ("level", "unit", "is_active")
    search_fields = ("code", "name")
