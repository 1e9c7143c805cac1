from django.contrib import admin

from referrals.models import Case, Recommendation, Referral, ReferralAttachment, ReferralEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = ReferralEvent
    fields = ("at", "actor", "action", "from_status", "to_status", "note")
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = ReferralAttachment
    fields = ("document", "kind", "original_name", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """Read-only: referrals change only through their state machine (the timeline must stay true)."""

    list_display = ("number", "service", "provider", "status", "outcome", "sent_at", "due_on")
    list_filter = ("status", "provider", "outcome")
    search_fields = ("number",)
    inlines = [EventInline, AttachmentInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "person",
        "pathway",
        "proposed_pathway",
        "pathway_decided_by",
        "created_at",
    )
    list_filter = ("pathway",)
    raw_id_fields = ("person", "ticket", "recommendation")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("pk", "number", "person", "status", "requested_by", "decided_by", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("person",)

    def has_change_permission(self, request, obj=None):
        return False
