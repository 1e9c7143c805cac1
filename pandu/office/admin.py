"""The office's identity and calendar in the admin. Registered here, in the office layer, for
what the core's models cannot see: whether the regency's regions are loaded, and the national
calendar next to the office's own days."""

from __future__ import annotations

import datetime
import io

from django import forms
from django.contrib import admin
from django.core.files.base import ContentFile
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from clients.models import Region
from pandu.images import image_open_verified
from pandu.models import OfficeCalendarDay, OfficeIdentity
from pandu.workdays import national_days

LOGO_MAX_SIDE = 600
LOGO_MAX_BYTES = 2 * 1024 * 1024


class OfficeIdentityForm(forms.ModelForm):
    class Meta:
        model = OfficeIdentity
        fields = ["name", "address", "city", "agency", "regency_code", "regency_name", "logo", "head_name",
                  "head_nip", "ticket_number_format", "referral_number_format", "recommendation_number_format",
                  "complaint_number_format", "observes_joint_leave"]

    def clean_regency_code(self):
        code = self.cleaned_data["regency_code"].strip()
        if code and not Region.objects.filter(code=code, level=Region.Level.REGENCY).exists():
            raise forms.ValidationError(
                _("The regions of %(code)s are not loaded: run python manage.py load_reference_data --regency "
                  "%(code)s first (docs/new-district.md).") % {"code": code}
            )
        return code

    def clean(self):
        """Another regency without another name takes the name the national list gives it."""
        data = super().clean()
        if "regency_code" in self.changed_data and "regency_name" not in self.changed_data and data.get("regency_code"):
            region = Region.objects.filter(code=data["regency_code"]).first()
            data["regency_name"] = region.name.title() if region else data.get("regency_name", "")
        return data

    def clean_logo(self):
        """A real image, re-encoded as a PNG of at most 600 pixels a side: nothing of the uploaded
        file (metadata, scripts) is kept, and a letter embeds it as it is."""
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "content_type"):  # unchanged, or cleared
            return logo
        image = image_open_verified(logo, max_bytes=LOGO_MAX_BYTES)
        image = image.convert("RGBA")
        image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return ContentFile(buffer.getvalue(), name="logo.png")


@admin.register(OfficeIdentity)
class OfficeIdentityAdmin(admin.ModelAdmin):
    """One row: the list opens it (or the form to make it, the first time); never deleted."""

    form = OfficeIdentityForm
    fieldsets = [
        (gettext_lazy("Office"), {"fields": ("name", "address", "city", "agency", "regency_code", "regency_name")}),
        (gettext_lazy("Letters"), {"fields": ("logo", "head_name", "head_nip")}),
        (gettext_lazy("Numbers"), {"fields": ("ticket_number_format", "referral_number_format",
                                   "recommendation_number_format", "complaint_number_format")}),
        (gettext_lazy("Working days"), {"fields": ("observes_joint_leave",)}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not OfficeIdentity.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if OfficeIdentity.objects.exists():
            return redirect(reverse("admin:pandu_officeidentity_change", args=[OfficeIdentity.SINGLETON_PK]))
        return redirect(reverse("admin:pandu_officeidentity_add"))

    def save_model(self, request, obj, form, change):
        obj.pk = OfficeIdentity.SINGLETON_PK
        old = OfficeIdentity.objects.filter(pk=obj.pk).values_list("logo", flat=True).first()
        super().save_model(request, obj, form, change)
        if old and old != obj.logo.name:  # replaced or cleared: the old file goes
            obj.logo.storage.delete(old)


@admin.register(OfficeCalendarDay)
class OfficeCalendarDayAdmin(admin.ModelAdmin):
    """The office's own days; the list shows the national holidays and joint leave days it
    counts besides, this year and next, so nothing is entered twice."""

    list_display = ("day", "weekday", "kind", "note")
    list_filter = ("kind",)
    date_hierarchy = "day"
    search_fields = ("note",)

    @admin.display(description=gettext_lazy("day of the week"))
    def weekday(self, obj):
        return WEEKDAYS[obj.day.weekday()] if obj.day else ""

    def changelist_view(self, request, extra_context=None):
        year = timezone.localdate().year
        extra_context = {
            **(extra_context or {}),
            "national_days": national_days(datetime.date(year, 1, 1), datetime.date(year + 1, 12, 31)),
        }
        return super().changelist_view(request, extra_context=extra_context)
