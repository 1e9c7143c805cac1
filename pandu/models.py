"""The core's models: abstract building blocks shared by the apps, account security, the audit
log and the gap-free number sequences. No domain models."""

from django.conf import settings
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
    # Set only by `seed_demo --keep-demo-passwords` (training rooms, browser tests); read-only in
    # the admin, every change in the audit log.
    second_factor_exempt = models.BooleanField(
        _("exempt from the second factor (demo account)"),
        default=False,
        help_text=_("Set by seed_demo --keep-demo-passwords for training rooms; never for real accounts."),
    )

    class Meta:
        verbose_name = _("account security")
        verbose_name_plural = _("account security")

    def __str__(self) -> str:
        return str(self.user)


class AuditEvent(models.Model):
    """Append-only record of who looked at or moved personal data (UU 27/2022)."""

    class Action(models.TextChoices):
        VIEW_PERSON = "view_person", _("Viewed a person")
        VIEW_HOUSEHOLD = "view_household", _("Viewed a household")
        VIEW_PHOTO = "view_photo", _("Viewed a photo or attachment")
        EXPORT = "export", _("Exported data")
        IMPORT = "import", _("Imported data")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        PERMISSION_CHANGE = "permission_change", _("Changed permissions")
        CHANGE = "change", _("Changed personal data")
        CORRECT = "correct", _("Corrected personal data on request")
        ANONYMISE = "anonymise", _("Anonymised a person")
        SEARCH = "search", _("Searched the registry")
        OTP_ENROL = "otp_enrol", _("Set up the second factor")
        OTP_VERIFY = "otp_verify", _("Confirmed a login with the second factor")
        OTP_RECOVERY = "otp_recovery", _("Used a recovery code")
        OTP_FAILED = "otp_failed", _("Wrong second-factor code")
        OTP_NEW_CODES = "otp_new_codes", _("Made new recovery codes")
        OTP_RESET = "otp_reset", _("Reset a second factor")
        STATUS_CHECK = "status_check", _("A citizen checked a status")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx"),
            # A user's recent events of one kind: the search rate limit counts them.
            models.Index(fields=["user", "action", "at"], name="audit_user_action_idx"),
            # An address's recent look-ups at the citizens' status check: its rate limit counts them.
            models.Index(fields=["ip_address", "action", "at"], name="audit_address_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}:{self.object_id}"


class NumberSequence(models.Model):
    """Gap-free counters: ticket numbers per desk per day; referral,
    recommendation and complaint numbers per year.

    Incremented inside the caller's transaction, so a rolled-back number is given again.
    """

    name = models.CharField(max_length=60)
    period = models.CharField(max_length=20)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="sequence_name_period_unique")]

    def __str__(self) -> str:
        return f"{self.name}/{self.period}={self.value}"
