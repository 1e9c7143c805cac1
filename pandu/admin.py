from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from pandu.accounts import account_require_password_change
from pandu.audit import audit_record
from pandu.models import AccountSecurity, AuditEvent


class AccountSecurityInline(admin.StackedInline):
    model = AccountSecurity
    can_delete = False
    fields = ("must_change_password", "password_changed_at")
    readonly_fields = ("password_changed_at",)


class PanduUserAdmin(UserAdmin):
    """Accounts made by an administrator must choose their own password at first login;
    role and permission changes are written to the audit log."""

    inlines = [AccountSecurityInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            account_require_password_change(user=obj)

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        before_perms = set(form.instance.user_permissions.values_list("codename", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        after_perms = set(form.instance.user_permissions.values_list("codename", flat=True))
        if before != after or before_perms != after_perms or (not change and (after or after_perms)):
            audit_record(
                user=request.user,
                action=AuditEvent.Action.PERMISSION_CHANGE,
                obj=form.instance,
                summary=f"roles {sorted(before)} → {sorted(after)}",
                detail={"roles_before": sorted(before), "roles_after": sorted(after),
                        "permissions_before": sorted(before_perms), "permissions_after": sorted(after_perms),
                        "is_superuser": form.instance.is_superuser},
                request=request,
            )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is never edited or deleted from the application."""

    list_display = ("at", "username", "action", "object_type", "object_id", "summary", "ip_address")
    list_filter = ("action", "object_type")
    search_fields = ("username", "object_id", "summary")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(User)
admin.site.register(User, PanduUserAdmin)
