from django.contrib import admin

from verivali.models import ClassBand, Indicator, ScorecardVersion


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


class ClassBandInline(admin.TabularInline):
    model = ClassBand
    extra = 0


@admin.register(ScorecardVersion)
class ScorecardVersionAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "is_current", "created_at")
    inlines = [IndicatorInline, ClassBandInline]
