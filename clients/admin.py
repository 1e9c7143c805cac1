from django.contrib import admin
from import_export.admin import ImportExportMixin

from clients.models import Complaint, Household, ImportJob, Person, PMKSCategory, Region
from clients.resources import HouseholdResource, PersonResource


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


class PersonInline(admin.TabularInline):
    model = Person
    fields = ("nik", "full_name", "sex", "birth_date", "relationship", "life_status")
    extra = 0
    show_change_link = True


@admin.register(Household)
class HouseholdAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [HouseholdResource]
    list_display = ("kk_number", "address", "village", "registry_status", "registry_source", "registry_year")
    list_filter = ("registry_status", "registry_source")
    search_fields = ("kk_number", "address")
    raw_id_fields = ("village",)
    readonly_fields = ("created_by",)
    inlines = [PersonInline]


@admin.register(Person)
class PersonAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [PersonResource]
    list_display = ("full_name", "nik", "sex", "birth_date", "relationship", "household")
    list_filter = ("sex", "relationship", "life_status")
    search_fields = ("nik", "full_name")
    raw_id_fields = ("household",)
    filter_horizontal = ("pmks_categories",)
    readonly_fields = ("created_by",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("pk", "original_name", "status", "result_line", "created_by", "created_at")
    list_filter = ("status",)
    readonly_fields = [field.name for field in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "status", "created_at", "received_by")
    list_filter = ("status", "kind")
    search_fields = ("number", "complainant_name")
    raw_id_fields = ("household", "person", "received_by", "resolved_by")
    readonly_fields = ("number",)
