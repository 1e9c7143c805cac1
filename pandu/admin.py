from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pandu.accounts import (
    NO_ACCESS,
    account_access,
    account_access_record,
    account_require_password_change,
    role_permissions,
    role_permissions_record,
)
from pandu.admin_mixins import ReadOnlyAdmin
from pandu.audit import audit_record
from pandu.models import AccountSecurity, AuditEvent
from pandu.second_factor import app_device


class AccountSecurityInline(admin.StackedInline):
    model = AccountSecurity
    can_delete = False
    fields = ("must_change_password", "password_changed_at", "second_factor_exempt")
    readonly_fields = ("password_changed_at", "second_factor_exempt")


class PanduUserAdmin(UserAdmin):
    """Accounts made by an administrator must choose their own password at first login. Every
    change of an account's access (active, staff, superuser, roles, own permissions) is written
    to the audit log with the access before and after.

    An administrator who is not a superuser manages accounts and their roles, but neither makes
    superusers nor hands out single permissions, and cannot change a superuser's account (its
    password included): nobody raises their own rights beyond what they were given."""

    inlines = [AccountSecurityInline]

    @admin.display(description=_("Second factor"))
    def second_factor(self, obj):
        if obj.pk is None:
            return "-"
        app = app_device(obj)
        state = _("authenticator app set up") if app else _("no authenticator app")
        return format_html('{} · <a href="{}">{}</a>', state, reverse("second_factor_reset", args=[obj.pk]),
                           _("reset…"))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Second factor"), {"fields": ("second_factor",)})]

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ("is_superuser", "user_permissions")
        return (*fields, "second_factor")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Read before the save: the groups follow in save_related, which records both.
        form.access_before = account_access(obj) if change else dict(NO_ACCESS)
        super().save_model(request, obj, form, change)
        if not change:
            account_require_password_change(user=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        account_access_record(
            user=form.instance, before=form.access_before, changed_by=request.user, request=request, via="admin"
        )

    @transaction.atomic
    def delete_model(self, request, obj):
        audit_record(
            user=request.user,
            action=AuditEvent.Action.PERMISSION_CHANGE,
            obj=obj,
            summary=f"account {obj.get_username()} deleted",
            detail={"before": account_access(obj), "after": NO_ACCESS, "deleted": True, "via": "admin"},
            request=request,
        )
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for user in queryset:
            self.delete_model(request, user)


class PanduGroupAdmin(GroupAdmin):
    """Roles: a change of a role's permissions changes every member's access and is written to
    the audit log. Only a superuser changes them (ROLE_PERMISSIONS sets the defaults)."""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ("permissions",)
        return fields

    def save_model(self, request, obj, form, change):
        form.permissions_before = role_permissions(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        role_permissions_record(
            group=form.instance, before=form.permissions_before, changed_by=request.user, request=request, via="admin"
        )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: the audit log is never edited or deleted from the application."""

    list_display = ("at", "username", "action", "object_type", "object_id", "summary", "ip_address")
    list_filter = ("action", "object_type")
    search_fields = ("username", "object_id", "summary")
    date_hierarchy = "at"


admin.site.unregister(User)
admin.site.register(User, PanduUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, PanduGroupAdmin)
