from django.contrib import admin
from django.db import transaction

from desks import services
from desks.models import Desk, DeskAssignment, Provider, Service


class ServiceInline(admin.TabularInline):
    model = Service
    fields = ("code", "name", "sla_days", "accepted_pathways", "quota", "quota_period", "is_active")
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "has_office_desk", "is_active")
    list_filter = ("kind", "has_office_desk", "is_active")
    search_fields = ("code", "name")
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "provider", "domain", "programme", "sla_days", "quota", "is_active")
    list_filter = ("provider", "domain", "is_active")
    search_fields = ("code", "name", "programme")


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ("ticket_prefix", "code", "name", "kind", "provider", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(DeskAssignment)
class DeskAssignmentAdmin(admin.ModelAdmin):
    """An assignment decides which provider's referrals an officer opens: each change goes
    through the service, which writes it to the audit log before and after."""

    list_display = ("user", "provider", "desk", "starts_on", "ends_on")
    list_filter = ("provider", "desk")
    list_select_related = ("user", "provider", "desk")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)
    date_hierarchy = "starts_on"

    def save_model(self, request, obj, form, change):
        services.desk_assignment_save(assignment=obj, changed_by=request.user, request=request)

    def delete_model(self, request, obj):
        services.desk_assignment_delete(assignment=obj, changed_by=request.user, request=request)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user", "provider", "desk"):
            services.desk_assignment_delete(assignment=assignment, changed_by=request.user, request=request)
