"""The core's models: abstract building blocks shared by the apps, account security, the audit
log, the gap-free number sequences, the office's identity and its calendar. No domain models."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pandu.files import private_files
from pandu.numbering import NumberFormatValidator


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


class OfficeIdentity(models.Model):
    """The office itself, one row: its name and address, the regency it serves, the letterhead
    (logo, the head's name and NIP) and the formats of its numbers. Edited by the administrator
    in the admin; an empty name, address, seat or head falls back to the settings
    (``OFFICE_NAME``…), so a fresh install prints what its environment says. Read through
    ``pandu.identity.office_identity()``."""

    SINGLETON_PK = 1

    name = models.CharField(
        _("office name"), max_length=150, blank=True,
        help_text=_("As on letters and every page. Empty: the OFFICE_NAME setting."),
    )
    address = models.CharField(
        _("address"), max_length=255, blank=True, help_text=_("The letterhead's address line. Empty: the OFFICE_ADDRESS setting."),
    )
    regency_code = models.CharField(
        _("regency (Kemendagri code)"), max_length=5, blank=True,
        help_text=_("The Kemendagri code of the regency or city the office serves (NN.NN). NIK and KK numbers of "
                    "other regencies are accepted and marked. Empty: the OFFICE_REGENCY setting."),
    )
    regency_name = models.CharField(
        _("regency name"), max_length=100, blank=True,
        help_text=_("As on letters: Kabupaten or Kota and its name. Filled from the national region list when "
                    "the regency's regions are loaded."),
    )
    city = models.CharField(
        _("seat of the office"), max_length=100, blank=True,
        help_text=_("The town letters are dated from. Empty: the OFFICE_CITY setting."),
    )
    agency = models.CharField(
        _("agency"), max_length=150, default="Dinas Sosial",
        help_text=_("The district agency the office belongs to, on the letterhead and the head's title."),
    )
    head_name = models.CharField(
        _("head's name"), max_length=150, blank=True,
        help_text=_("Signs recommendation letters and acknowledges referral letters, with the NIP. "
                    "Empty: the OFFICE_HEAD_NAME setting, else the approving officer's name."),
    )
    head_nip = models.CharField(
        _("head's NIP"), max_length=18, blank=True, validators=[RegexValidator(r"^\d{18}$", _("A NIP has 18 digits."))],
        help_text=_("18 digits. Empty: the OFFICE_HEAD_NIP setting."),
    )
    logo = models.FileField(
        _("letterhead logo"), upload_to="office/", storage=private_files, blank=True,
        help_text=_("The regency's emblem, as PNG or JPEG; it is re-encoded and shown on letters and the login page."),
    )
    ticket_number_format = models.CharField(
        _("ticket numbers"), max_length=40, default="{prefix}-{seq:03d}",
        validators=[NumberFormatValidator("ticket")],
        help_text=_("Per desk and day. Fields: {prefix} (the desk's), {seq} (e.g. {seq:03d} for 007), {year}, "
                    "{month}, {roman_month}, {day}."),
    )
    referral_number_format = models.CharField(
        _("referral numbers"), max_length=60, default="{seq:04d}/RJK/UPTD-PTKS/{roman_month}/{year}",
        validators=[NumberFormatValidator("referral")],
        help_text=_("Per year: must contain {seq} and {year}."),
    )
    recommendation_number_format = models.CharField(
        _("recommendation numbers"), max_length=60, default="{seq:04d}/REK/DINSOS/{roman_month}/{year}",
        validators=[NumberFormatValidator("recommendation")],
        help_text=_("Per year: must contain {seq} and {year}."),
    )
    complaint_number_format = models.CharField(
        _("complaint numbers"), max_length=40, default="PGD-{year}-{seq:04d}",
        validators=[NumberFormatValidator("complaint")],
        help_text=_("Per year: must contain {seq} and {year}."),
    )
    observes_joint_leave = models.BooleanField(
        _("closed on joint leave days (cuti bersama)"), default=True,
        help_text=_("Joint leave days of the national calendar are not working days: due dates skip them."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("office identity")
        verbose_name_plural = _("office identity")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="office_identity_single_row")]

    def __str__(self) -> str:
        return self.name or settings.OFFICE_NAME


class OfficeCalendarDay(models.Model):
    """A day the office's calendar differs from the national one (``pandu.workdays``): closed
    for its own reason, a joint leave day the national calendar does not list yet, or open on a
    day the national calendar says is off. Due dates made after it is entered count it; a due
    date already set stays as it is."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Office closed")
        JOINT_LEAVE = "joint_leave", _("Joint leave (cuti bersama)")
        OPEN = "open", _("Office open (a working day despite the national calendar)")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CLOSED)
    note = models.CharField(_("reason"), max_length=150, help_text=_("e.g. Hari jadi Kabupaten, staff training."))

    class Meta:
        ordering = ["-day"]
        verbose_name = _("office calendar day")
        verbose_name_plural = _("office calendar")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()}: {self.note}"
