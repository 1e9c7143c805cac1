"""Abstract building blocks shared by the apps. Pandu's project package holds no domain models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AccountSecurity(models.Model):
    """Per-account security state (auth infrastructure, not domain data)."""

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="security", primary_key=True
    )
    must_change_password = models.BooleanField(_("must change password at next login"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("account security")
        verbose_name_plural = _("account security")

    def __str__(self) -> str:
        return str(self.user)
