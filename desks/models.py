from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from pandu.models import TimeStampedModel


class Pathway(models.TextChoices):
    """How a person is eligible for a free service (the paper's three routes)."""

    LISTED = "listed", _("Listed in the poor-household database")
    IN_VERIFICATION = "in_verification", _("In verification")
    RECOMMENDATION = "recommendation", _("Dinas Sosial recommendation")


class Provider(TimeStampedModel):
    """An SKPD (district agency) or a partner (Baznas, company CSR) that provides services."""

    class Kind(models.TextChoices):
        SKPD = "skpd", _("SKPD (district agency)")
        PARTNER = "partner", _("Partner")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    has_office_desk = models.BooleanField(_("has a desk in the office"), default=False)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self) -> str:
        return self.name


class Service(TimeStampedModel):
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="services", verbose_name=_("provider")
    )
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sla_days = models.PositiveSmallIntegerField(
        _("days to complete (SLA)"), default=14, help_text=_("Calendar days from sending to outcome.")
    )
    required_documents = ArrayField(
        models.CharField(max_length=120), default=list, blank=True, verbose_name=_("required documents")
    )
    accepted_pathways = ArrayField(
        models.CharField(max_length=20, choices=Pathway.choices),
        default=list,
        verbose_name=_("accepted pathways"),
    )
    quota = models.PositiveIntegerField(
        _("quota"), null=True, blank=True, help_text=_("Places available; empty means no quota.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["provider__name", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    def accepts(self, pathway: str) -> bool:
        return pathway in self.accepted_pathways


class Desk(TimeStampedModel):
    """A counter (loket) in the office. Its prefix numbers its queue tickets (A-007)."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        DATA = "data", _("Data and information")
        TECHNICAL = "technical", _("Technical service (SKPD)")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    ticket_prefix = models.CharField(_("ticket prefix"), max_length=3, unique=True)
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desks",
        verbose_name=_("provider"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["ticket_prefix"]
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="technical") | Q(provider__isnull=False),
                name="desk_technical_has_provider",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_prefix} · {self.name}"


class DeskAssignment(TimeStampedModel):
    """Binds an officer to a provider (and usually a desk) for a period: the rotation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="desk_assignments",
        verbose_name=_("officer"),
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments",
        verbose_name=_("provider"),
    )
    desk = models.ForeignKey(
        Desk, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments",
        verbose_name=_("desk"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty: until further notice."))

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("desk assignment")
        verbose_name_plural = _("desk assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="assignment_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(provider__isnull=False) | Q(desk__isnull=False),
                name="assignment_has_provider_or_desk",
            ),
        ]
        indexes = [models.Index(fields=["user", "starts_on"], name="assignment_user_start_idx")]

    def __str__(self) -> str:
        return f"{self.user} → {self.provider or self.desk} ({self.starts_on}–{self.ends_on or '…'})"
