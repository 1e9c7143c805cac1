from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clients.models import (
    Complaint,
    ComplaintDeadline,
    Household,
    ImportJob,
    Person,
    PersonMerge,
    PMKSCategory,
    Programme,
    Region,
)
from clients.resources import HouseholdResource, PersonResource
from pandu.admin_mixins import AuditedExportMixin, ReadOnlyAdmin, RecordInAppAdmin


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


@admin.register(PersonMerge)
class PersonMergeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Merges of duplicate persons, for the administrator to follow: read-only, as a merge and its
    undo happen on the data desk's review page (which moves the records, keeps the aliases and
    writes the audit log). Ids, dates and who; the former names only to whoever may see persons
    here (the administrator's role may not: ``pandu.roles.ROLE_PERMISSIONS``), never the merged
    record's data."""

    list_display = ("pk", "merged_at", "kept_person", "merged_person", "merged_by", "undone", "undone_at")
    list_filter = (("undone_at", admin.EmptyFieldListFilter),)
    list_select_related = ("merged_by",)
    date_hierarchy = "merged_at"
    fields = ("merged_at", "merged_by", "kept_person", "merged_person", "undone_at", "undone_by")
    readonly_fields = fields

    @admin.display(description=_("kept person (id)"), ordering="survivor_id")
    def kept_person(self, merge):
        return merge.survivor_id

    @admin.display(description=_("merged person (id)"), ordering="merged_id")
    def merged_person(self, merge):
        return merge.merged_id

    @admin.display(description=_("undone"), boolean=True)
    def undone(self, merge):
        return merge.undone_at is not None

    @admin.display(description=_("former name"))
    def former_names(self, merge):
        return ", ".join(alias.full_name for alias in merge.aliases.all()) or "—"

    def _sees_persons(self, request) -> bool:
        return request.user.has_perm("clients.view_person")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.prefetch_related("aliases") if self._sees_persons(request) else queryset

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return (*shown[:4], "former_names", *shown[4:]) if self._sees_persons(request) else shown
