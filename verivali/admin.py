"""Scorecard versions are edited here until an assessment uses them; then they are read-only and
"Copy version" makes the next version to change."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pandu.admin_mixins import RecordInAppAdmin
from verivali import selectors, services
from verivali.models import Assessment, Batch, ClassBand, Indicator, ScorecardVersion


class _LockedWhenUsed:
    """Inline rows of a used version can be neither added, changed nor deleted."""

    def _used(self, obj) -> bool:
        return obj is not None and selectors.version_is_used(obj)

    def has_add_permission(self, request, obj=None):
        return not self._used(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._used(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._used(obj) and super().has_delete_permission(request, obj)


class IndicatorInline(_LockedWhenUsed, admin.TabularInline):
    model = Indicator
    extra = 0


class ClassBandInline(_LockedWhenUsed, admin.TabularInline):
    model = ClassBand
    extra = 0


@admin.register(ScorecardVersion)
class ScorecardVersionAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "is_current", "used", "created_at")
    inlines = [IndicatorInline, ClassBandInline]
    actions = ["copy_version", "make_current"]

    @admin.display(boolean=True, description=_("used by assessments"))
    def used(self, obj):
        return selectors.version_is_used(obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and selectors.version_is_used(obj):
            return ("number", "name", "notes", "is_current")
        return ("is_current",)

    def has_delete_permission(self, request, obj=None):
        return not (
            obj is not None and selectors.version_is_used(obj)
        ) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            try:
                services.version_ensure_editable(obj)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if change and formset.has_changed() and selectors.version_is_used(form.instance):
            self.message_user(
                request,
                _(
                    "This version is used by assessments; its indicators and bands were not changed."
                ),
                messages.ERROR,
            )
            return
        super().save_formset(request, form, formset, change)

    @admin.action(description=_("Copy version (make a new editable version)"))
    def copy_version(self, request, queryset):
        for version in queryset:
            copy = services.version_copy(version=version)
            self.message_user(
                request,
                _("Version %(old)s copied to version %(new)s.")
                % {"old": version.number, "new": copy.number},
            )

    @admin.action(description=_("Make current (new surveys use it)"))
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one version."), messages.ERROR)
            return
        try:
            version = services.version_make_current(version=queryset.get())
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, _("Version %(n)s is now current.") % {"n": version.number})


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "period_start",
        "period_end",
        "status",
        "decree_number",
        "decree_date",
    )
    list_filter = ("status",)
    search_fields = ("name", "code", "decree_number")
    readonly_fields = (
        "status",
        "decree_number",
        "decree_date",
        "approved_at",
        "approved_by",
        "created_by",
    )
    filter_horizontal = ("kecamatan", "villages")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == Batch.Status.APPROVED:
            # its code is the registry source of the households it listed
            return (
                "name",
                "code",
                "period_start",
                "period_end",
                "kecamatan",
                "villages",
                *self.readonly_fields,
            )
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.assessments.exists()) and super().has_delete_permission(
            request, obj
        )


@admin.register(Assessment)
class AssessmentAdmin(RecordInAppAdmin, admin.ModelAdmin):
    """Surveys change through the survey and review pages, which keep the rules; opening one
    there is logged."""

    app_url_name = "verivali:assessment_detail"
    list_display = (
        "household",
        "batch",
        "status",
        "outcome",
        "surveyor",
        "score",
        "welfare_class",
        "submitted_at",
    )
    list_filter = ("status", "outcome", "source", "welfare_class", "batch")
    search_fields = ("=household__kk_number", "household__address")
    list_select_related = ("household", "batch", "surveyor")
