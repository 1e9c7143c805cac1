from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from desks import services
from desks.models import Desk, DeskAssignment, EligibilityRule, Pathway, Provider, Service


class LinesField(forms.CharField):
    """A list of short texts, one per line (a service's required documents)."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40})

    def __init__(self, *, item_max_length: int, **kwargs):
        self.item_max_length = item_max_length
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]

    def validate(self, value):
        super().validate(value)
        too_long = [line for line in value if len(line) > self.item_max_length]
        if too_long:
            raise ValidationError(_("At most %(n)d characters a line: %(line)s") % {"n": self.item_max_length,
                                                                                      "line": too_long[0]})


class ServiceAdminForm(forms.ModelForm):
    """What a new district's administrator fills in for a service: the pathways as boxes to tick,
    the documents one per line."""

    accepted_pathways = forms.MultipleChoiceField(
        label=_("accepted pathways"), choices=Pathway.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("Who may be referred: listed in the database, in verification, with a recommendation."),
    )
    required_documents = LinesField(
        label=_("required documents"), required=False, item_max_length=120,
        help_text=_("One per line, e.g. KTP, Kartu Keluarga. The referral's checklist."),
    )

    class Meta:
        model = Service
        fields = ["provider", "code", "name", "description", "domain", "sla_days", "required_documents",
                  "accepted_pathways", "quota", "quota_period", "needs_full_nik", "needs_health_data", "programme",
                  "participation_programme", "is_active"]


class ServiceInline(admin.TabularInline):
    model = Service
    form = ServiceAdminForm
    fields = ("code", "name", "domain", "sla_days", "accepted_pathways", "required_documents", "quota",
              "quota_period", "is_active")
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "has_office_desk", "is_active")
    list_filter = ("kind", "has_office_desk", "is_active")
    search_fields = ("code", "name")
    inlines = [ServiceInline]


class EligibilityRuleInline(admin.StackedInline):
    """Who the service is for: every condition filled in must hold (a welfare class or a desil:
    either). Opening a case shows each person's answer with its reasons."""

    model = EligibilityRule
    extra = 0
    max_num = 1
    filter_horizontal = ("pmks_categories", "villages", "not_in_programmes")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    form = ServiceAdminForm
    list_display = ("code", "name", "provider", "domain", "programme", "sla_days", "quota", "is_active")
    list_filter = ("provider", "domain", "is_active")
    search_fields = ("code", "name", "programme")
    inlines = [EligibilityRuleInline]


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
