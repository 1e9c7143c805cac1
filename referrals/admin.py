from django.contrib import admin

from pandu.admin_mixins import RecordInAppAdmin
from referrals.models import Case, Recommendation, Referral

# Cases, referrals and recommendations hold what a person needs and what the office decided:
# they change only through their services (the referral's state machine keeps the timeline
# true), and opening one is logged by its page. The admin lists them and opens them there.


@admin.register(Referral)
class ReferralAdmin(RecordInAppAdmin, admin.ModelAdmin):
    app_url_name = "referrals:detail"
    list_display = ("number", "service", "provider", "status", "outcome", "sent_at", "due_on")
    list_filter = ("status", "provider", "outcome")
    list_select_related = ("service", "provider")
    search_fields = ("number",)


@admin.register(Case)
class CaseAdmin(RecordInAppAdmin, admin.ModelAdmin):
    app_url_name = "referrals:case_detail"
    list_display = ("pk", "person", "pathway", "proposed_pathway", "pathway_decided_by", "created_at")
    list_filter = ("pathway",)
    list_select_related = ("person", "pathway_decided_by")


@admin.register(Recommendation)
class RecommendationAdmin(RecordInAppAdmin, admin.ModelAdmin):
    app_url_name = "referrals:recommendation_detail"
    list_display = ("pk", "number", "person", "status", "requested_by", "decided_by", "decided_at")
    list_filter = ("status",)
    list_select_related = ("person", "requested_by", "decided_by")
