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


class Domain(models.TextChoices):
    """The areas of life in which the SLRT identifies a citizen's complaints and needs; each
    service belongs to one, and a case's needs assessment goes domain by domain."""

    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance")
    HOUSING = "housing", _("Housing")
    LIVELIHOOD = "livelihood", _("Livelihood")
    CIVIL_DOCUMENTS = "civil_documents", _("Civil documents")
    PROTECTION = "protection", _("Protection")


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
    domain = models.CharField(
        _("domain"), max_length=20, choices=Domain.choices,
        help_text=_("The area of need it answers: a case's needs of this domain can be referred to it."),
    )
    programme = models.CharField(
        _("programme"), max_length=80, blank=True,
        help_text=_("The programme or fund the service's aid comes from (ASLUT, Jamkesda, Baznas Berau Makmur, "
                    "CSR Berau Coal…): the reports total the value of the aid per programme. Empty: the service "
                    "counts as a programme of its own."),
    )
    sla_days = models.PositiveSmallIntegerField(
        _("working days to complete (SLA)"), default=14,
        help_text=_("Working days from sending to outcome: not Saturdays, Sundays, national holidays, joint leave "
                    "or the office's closed days (admin: office calendar)."),
    )
    required_documents = ArrayField(
        models.CharField(max_length=120), default=list, blank=True, verbose_name=_("required documents")
    )
    accepted_pathways = ArrayField(
        models.CharField(max_length=20, choices=Pathway.choices),
        default=list,
        verbose_name=_("accepted pathways"),
    )
    class QuotaPeriod(models.TextChoices):
        YEAR = "year", _("Per calendar year")
        NONE = "none", _("Without end (a place is held until it is freed)")

    quota = models.PositiveIntegerField(
        _("quota"), null=True, blank=True, help_text=_("Places available; empty means no quota.")
    )
    quota_period = models.CharField(
        _("quota period"), max_length=5, choices=QuotaPeriod.choices, default=QuotaPeriod.YEAR,
        help_text=_("Per calendar year: the places given in a year count for that year; on 1 January "
                    "the places are free again and the waiting list moves up."),
    )
    # What the provider's officers are shown of a person referred to this service (they see a
    # minimal card: name, masked NIK, age, village, the referral and its documents).
    needs_full_nik = models.BooleanField(
        _("officers see the full NIK"), default=False,
        help_text=_("The provider needs the whole NIK to serve the person (e.g. to enrol them in health insurance)."),
    )
    needs_health_data = models.BooleanField(
        _("officers see health and PMKS data"), default=False,
        help_text=_("Disability, chronic illness and PMKS categories: only for services about them."),
    )
    participation_programme = models.ForeignKey(
        "clients.Programme", on_delete=models.PROTECT, null=True, blank=True, related_name="services",
        verbose_name=_("enrols in programme"),
        help_text=_("A referral completed with a grant records the person or family in this programme."),
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

    @property
    def works_for(self):
        """The provider the officer serves: the assignment's own, else its desk's."""
        return self.provider or (self.desk.provider if self.desk_id else None)


class Ticket(TimeStampedModel):
    """A queue ticket is a visit: issued once, sent on from desk to desk, linked to the person."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVING = "serving", _("Being served")
        DONE = "done", _("Done")
        NO_SHOW = "no_show", _("Did not come")

    class Purpose(models.TextChoices):
        """What the citizen came for, asked at the registration desk."""

        REGISTRATION = "registration", _("Registration or data update")
        SERVICE = "service", _("Referral or service")
        COMPLAINT = "complaint", _("Complaint")
        FOLLOW_UP = "follow_up", _("Follow-up")
        INFORMATION = "information", _("Information")

    class Priority(models.TextChoices):
        """Who is served first (pelayanan khusus, UU 25/2009 pasal 29; PP 96/2012)."""

        ELDERLY = "elderly", _("Elderly (60+)")
        DISABILITY = "disability", _("Disability")
        PREGNANT = "pregnant", _("Pregnant")
        WITH_CHILD = "with_child", _("With a baby or small child")

    class PrioritySource(models.TextChoices):
        STATED = "stated", _("Stated at the desk")
        RECORD = "record", _("From the person's record")

    OPEN_STATUSES = (Status.WAITING, Status.CALLED, Status.SERVING)

    number = models.CharField(_("ticket number"), max_length=12)
    issued_on = models.DateField(_("date"))
    sequence = models.PositiveIntegerField()
    origin_desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="issued_tickets")
    desk = models.ForeignKey(
        Desk, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("current desk")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    person = models.ForeignKey(
        "clients.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
        verbose_name=_("person"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(_("purpose of the visit"), max_length=15, choices=Purpose.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=12, choices=Priority.choices, blank=True)
    priority_source = models.CharField(
        _("priority known from"), max_length=8, choices=PrioritySource.choices, blank=True
    )

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(fields=["origin_desk", "issued_on", "sequence"], name="ticket_number_per_day"),
            models.CheckConstraint(
                condition=Q(priority="", priority_source="") | (~Q(priority="") & ~Q(priority_source="")),
                name="ticket_priority_has_source",
            ),
        ]
        indexes = [
            models.Index(fields=["desk", "status", "issued_on"], name="ticket_desk_status_idx"),
            # The visits and the persons served in a period (the dashboard, the monthly report).
            models.Index(fields=["issued_on"], include=["person"], name="ticket_issued_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def current_step(self):
        return self.steps.order_by("-queued_at", "-pk").first()


class TicketStep(models.Model):
    """One desk's part of a visit, with its queue times."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="steps")
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="ticket_steps")
    status = models.CharField(max_length=10, choices=Ticket.Status.choices, default=Ticket.Status.WAITING)
    queued_at = models.DateTimeField(_("queued at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    served_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("officer"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    # Whether the ticket was a priority one when this desk called it: the fairness rule counts
    # the desk's last calls (desks.services.ticket_call_next).
    priority_call = models.BooleanField(_("called as a priority ticket"), default=False)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = _("ticket step")
        verbose_name_plural = _("ticket steps")
        indexes = [models.Index(fields=["desk", "status", "queued_at"], name="step_desk_queue_idx")]

    def __str__(self) -> str:
        return f"{self.ticket.number} @ {self.desk.ticket_prefix}: {self.status}"


class TicketStop(models.Model):
    """A desk the visit still has to pass: the itinerary planned when a case is opened (one stop
    per in-office desk its referrals need), in an order the officer can change. Finishing at a
    desk sends the ticket on to the first planned stop."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SENT = "sent", _("Sent there")
        SKIPPED = "skipped", _("Skipped")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="stops")
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="+", verbose_name=_("desk"))
    position = models.PositiveSmallIntegerField(_("order"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    reason = models.CharField(_("what for"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("planned at"), auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("itinerary stop")
        verbose_name_plural = _("itinerary stops")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "desk"], condition=Q(status="planned"), name="stop_planned_once_per_desk"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} → {self.desk.ticket_prefix} ({self.status})"


class EligibilityRule(TimeStampedModel):
    """Who a service is for, beyond its pathways: each condition set must hold. Opening a case
    shows per service whether the person meets them, and why not; the head may refer anyway with a
    written reason (kept on the referral). Edited by the administrator in the admin."""

    # The welfare classes of the verivali scorecard (DESIGN: default bands), by rank: 0 = very poor.
    class WelfareAtMost(models.IntegerChoices):
        VERY_POOR = 0, _("Very poor")
        POOR = 1, _("Poor or poorer")
        NEAR_POOR = 2, _("Near poor or poorer")

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="eligibility",
                                   verbose_name=_("service"))
    welfare_at_most = models.PositiveSmallIntegerField(
        _("welfare class at most"), choices=WelfareAtMost.choices, null=True, blank=True,
        help_text=_("By the household's latest validated verivali survey."),
    )
    decile_at_most = models.PositiveSmallIntegerField(
        _("welfare decile (desil) at most"), null=True, blank=True,
        help_text=_("From the national registry (DTKS/DTSEN). With a welfare class too, either one suffices."),
    )
    pmks_categories = models.ManyToManyField(
        "clients.PMKSCategory", blank=True, related_name="+", verbose_name=_("PMKS categories (any of)"),
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    villages = models.ManyToManyField(
        "clients.Region", blank=True, related_name="+", verbose_name=_("villages (any of)"),
        help_text=_("E.g. a company's ring-one villages. Empty: every village."),
        limit_choices_to={"level__in": ["kelurahan", "kampung"]},
    )
    not_in_programmes = models.ManyToManyField(
        "clients.Programme", blank=True, related_name="+", verbose_name=_("not already in programmes"),
        help_text=_("A family that receives one of these today is not eligible (no double aid)."),
    )

    class Meta:
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        constraints = [
            models.CheckConstraint(condition=Q(decile_at_most__isnull=True) | Q(decile_at_most__gte=1,
                                                                                 decile_at_most__lte=10),
                                   name="eligibility_decile_1_to_10"),
            models.CheckConstraint(condition=Q(min_age__isnull=True) | Q(max_age__isnull=True)
                                   | Q(max_age__gte=F("min_age")), name="eligibility_ages_ordered"),
        ]

    def __str__(self) -> str:
        return str(self.service)
