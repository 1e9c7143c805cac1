from django.contrib import admin

from desks.models import Desk, DeskAssignment, Provider, Service


class ServiceInline(admin.TabularInline):
    model = Service
    fields = ("code", "name", "sla_days", "accepted_pathways", "quota", "is_active")
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "has_office_desk", "is_active")
    list_filter = ("kind", "has_office_desk", "is_active")
    search_fields = ("code", "name")
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "provider", "sla_days", "quota", "is_active")
    list_filter = ("provider", "is_active")
    search_fields = ("code", "name")


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ("ticket_prefix", "code", "name", "kind", "provider", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(DeskAssignment)
class DeskAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "desk", "starts_on", "ends_on")
    list_filter = ("provider", "desk")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)
    date_hierarchy = "starts_on"
