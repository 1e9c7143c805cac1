"""Cases, referrals and their timeline, and the Dinas Sosial recommendation.

A **case** is what the front desk records for a person on a visit: the eligibility pathway
(proposed from the household's registry status, decided by an officer) and the needs.
Each need becomes a **referral** to the service's provider, with a gap-free number per
year, a due date from the service's SLA, a documents checklist, attachments and an
append-only timeline of **events**. The allowed moves between states are one table:
``referrals.services.TRANSITIONS``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desks.models import Domain, Pathway
from pandu.files import private_files
from pandu.models import TimeStampedModel


def new_token() -> str:
    """Unguessable public identifier of a letter (the QR code's link), never the pk."""
    return secrets.token_urlsafe(18)


# The reply slip's return code: letters and digits nobody confuses when reading a stamped paper
# or typing it (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6).
RETURN_CODE_ALPHABET = "ACDEFHJKMNPQRTUVWXY34679"
RETURN_CODE_LENGTH = 8


def new_return_code() -> str:
    """A random return code for a letter's reply slip (24^8 ≈ 1.1 · 10^11 codes)."""
    return "".join(secrets.choice(RETURN_CODE_ALPHABET) for _ in range(RETURN_CODE_LENGTH))


def normalise_return_code(text: str) -> str:
    """What was typed or scanned, as stored: capitals, without spaces or hyphens ("acde-fh34" →
    "ACDEFH34")."""
    return "".join(char for char in text.upper() if char.isalnum())


class Case(TimeStampedModel):
    """A visit's needs for one person, with the pathway that makes them eligible.

    Case management, the SLRT way: the needs assessed domain by domain (``CaseNeed``), each
    referred or handled at the office; a case worker whose caseload it is; a plan of
    follow-ups (``CaseFollowUp``); closure with a reason, and reopening, in its history
    (``CaseEvent``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class ClosureReason(models.TextChoices):
        ALL_MET = "all_met", _("All needs met")
        REFERRED_OUT = "referred_out", _("Referred out")
        WITHDREW = "withdrew", _("The citizen withdrew")
        UNREACHABLE = "unreachable", _("The citizen is unreachable")

    # Reasons that close a case while some of its needs are neither referred nor handled.
    CLOSES_WITH_OPEN_NEEDS = (ClosureReason.WITHDREW, ClosureReason.UNREACHABLE)

    person = models.ForeignKey(
        "clients.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    ticket = models.ForeignKey(
        "desks.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("queue ticket"),
    )
    registry_status = models.CharField(
        _("registry status at opening"),
        max_length=20,
        blank=True,
        help_text=_("The household's registry status when the case was opened."),
    )
    proposed_pathway = models.CharField(
        _("proposed pathway"), max_length=20, choices=Pathway.choices
    )
    pathway = models.CharField(_("pathway"), max_length=20, choices=Pathway.choices)
    pathway_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("pathway decided by"),
    )
    pathway_override_reason = models.CharField(
        _("reason for another pathway"), max_length=255, blank=True
    )
    recommendation = models.ForeignKey(
        "Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("recommendation"),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="caseload",
        verbose_name=_("case worker"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closure_reason = models.CharField(_("reason for closing"), max_length=20, choices=ClosureReason.choices, blank=True)
    closure_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(closed_at__isnull=False) & ~Q(closure_reason=""))
                | (Q(status="open") & Q(closed_at__isnull=True) & Q(closure_reason="")),
                name="case_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(pathway=models.F("proposed_pathway")) | ~Q(pathway_override_reason=""),
                name="case_override_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(pathway=Pathway.RECOMMENDATION) | Q(recommendation__isnull=False),
                name="case_recommendation_pathway_has_letter",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "created_at"], name="case_person_idx"),
            models.Index(fields=["case_worker", "status"], name="case_caseload_idx"),
            models.Index(fields=["status", "closed_at"], name="case_status_idx"),
            # The persons served and the pathways of the cases opened in a period, from the index alone.
            models.Index(fields=["created_at"], include=["person", "pathway"], name="case_created_idx"),
        ]

    def __str__(self) -> str:
        return _("Case #%(pk)s") % {"pk": self.pk}

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CaseNeed(TimeStampedModel):
    """One complaint or need found in the assessment, in one domain. It is met by referrals
    (``Referral.need``) or handled at the office (advice given, a form filled in); until one
    of those it is open, and an open need keeps the case from closing as met or referred out."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="needs", verbose_name=_("case"))
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    description = models.CharField(_("what the citizen needs"), max_length=255)
    handled_at = models.DateTimeField(_("handled at the office on"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("handled by"),
    )
    handled_note = models.TextField(_("what the office did"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [
            models.CheckConstraint(
                condition=(Q(handled_at__isnull=True) & Q(handled_by__isnull=True) & Q(handled_note=""))
                | (Q(handled_at__isnull=False) & Q(handled_by__isnull=False) & ~Q(handled_note="")),
                name="need_handled_by_whom_and_how",
            ),
        ]
        indexes = [models.Index(fields=["case", "domain"], name="need_case_idx")]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.description}"


class CaseFollowUp(TimeStampedModel):
    """A step of the case's plan: check on the citizen by a date. Planned by an officer, or by
    Pandu itself when a referral of the case is granted (did the aid reach the citizen?)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("case"))
    due_on = models.DateField(_("due on"))
    purpose = models.CharField(_("purpose"), max_length=255)
    referral = models.ForeignKey(
        "Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups",
        verbose_name=_("referral"),
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("planned by"),
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("done by"),
    )
    done_note = models.TextField(_("what was found"), blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(
                condition=(Q(done_on__isnull=True) & Q(done_by__isnull=True))
                | (Q(done_on__isnull=False) & Q(done_by__isnull=False) & ~Q(done_note="")),
                name="follow_up_done_by_whom",
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(done_on__isnull=True), name="follow_up_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.due_on:%Y-%m-%d} {self.purpose}"

    @property
    def is_overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()


class CaseEvent(models.Model):
    """One step in a case's history (assigned, need recorded, referred or handled, follow-up
    planned or done, closed, reopened). Append-only: the database refuses UPDATE and DELETE."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Case opened")
        ASSIGNED = "assigned", _("Case worker assigned")
        NEED_RECORDED = "need_recorded", _("Need recorded")
        NEED_REFERRED = "need_referred", _("Need referred")
        NEED_HANDLED = "need_handled", _("Need handled at the office")
        FOLLOW_UP_PLANNED = "follow_up_planned", _("Follow-up planned")
        FOLLOW_UP_DONE = "follow_up_done", _("Follow-up done")
        CLOSED = "closed", _("Case closed")
        REOPENED = "reopened", _("Case reopened")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "at"], name="case_event_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class Recommendation(TimeStampedModel):
    """A request for a Dinas Sosial recommendation letter to the Bupati (the third pathway)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    person = models.ForeignKey(
        "clients.Person",
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("person"),
    )
    reason = models.TextField(_("reason for the request"))
    assessment = models.TextField(_("officer's assessment"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=255, blank=True)
    number = models.CharField(_("letter number"), max_length=40, null=True, blank=True, unique=True)  # noqa: DJ001

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(number__isnull=False),
                name="recommendation_approved_has_number",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="recommendation_status_idx")]

    def __str__(self) -> str:
        return self.number or _("Recommendation request #%(pk)s") % {"pk": self.pk}


# A referral holds one of its service's places: on its way, or granted and not freed
# (referrals.services.holds_place_q; counted from the partial index referral_place_idx).
HOLDS_PLACE = (Q(status__in=("sent", "received", "returned", "accepted")) | Q(status="completed", outcome="granted")) & Q(
    place_released_at__isnull=True
)


class Referral(TimeStampedModel):
    class Status(models.TextChoices):
        WAITING = "waiting", _("On the waiting list")
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")
        ACCEPTED = "accepted", _("Accepted")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for documents")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        NOT_GRANTED = "not_granted", _("Not granted")

    class AidKind(models.TextChoices):
        """How a granted aid is given: money (its value in rupiah) or in kind (goods or a service,
        described in the outcome detail). Empty on a grant: its value was not stated (an agency's
        system that sends neither, or a grant recorded before the value was asked for)."""

        MONEY = "money", _("In rupiah")
        IN_KIND = "in_kind", _("In kind")

    # States in which the provider still owes an answer: these can be overdue.
    OPEN_STATUSES = (Status.SENT, Status.RECEIVED, Status.ACCEPTED, Status.RETURNED)
    CLOSED_STATUSES = (Status.COMPLETED, Status.REJECTED, Status.CANCELLED)

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("case")
    )
    service = models.ForeignKey(
        "desks.Service",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("service"),
    )
    need = models.ForeignKey(
        CaseNeed,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("need"),
        help_text=_("The need of the case's assessment this referral answers."),
    )
    provider = models.ForeignKey(
        "desks.Provider",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("provider"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("referral number"), max_length=40, unique=True)
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    return_code = models.CharField(
        _("return code"),
        max_length=RETURN_CODE_LENGTH,
        unique=True,
        default=new_return_code,
        editable=False,
        help_text=_("Printed on the letter's reply slip: the office types or scans it to record the agency's answer."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    waitlisted_at = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    required_documents = ArrayField(
        models.CharField(max_length=120),
        default=list,
        blank=True,
        verbose_name=_("required documents"),
    )
    documents_checked = ArrayField(
        models.CharField(max_length=120),
        default=list,
        blank=True,
        verbose_name=_("documents present"),
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_detail = models.CharField(_("outcome detail"), max_length=255, blank=True)
    aid_value = models.PositiveBigIntegerField(
        _("value of the aid (Rp)"), null=True, blank=True,
        help_text=_("What the granted aid is worth in rupiah, when the provider says so."),
    )
    aid_kind = models.CharField(
        _("aid given"), max_length=8, choices=AidKind.choices, blank=True, default="", db_default="",
        help_text=_("In rupiah (the value) or in kind (described in the outcome detail)."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Whole days from sending to closing, as the office counts them: the day (WITA) it was closed
    # minus the day it was sent (closed the same day: 0). Kept by the database: the dashboard's
    # day counters (ReferralCompletedDays, ReferralAnswerDays) and medians read it.
    days_to_close = models.GeneratedField(
        expression=Func(F("closed_at"), F("sent_at"), template="((%(expressions)s AT TIME ZONE 'Asia/Makassar')::date)",
                        arg_joiner=" AT TIME ZONE 'Asia/Makassar')::date - (", output_field=models.IntegerField()),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name=_("days from sending to closing"),
    )
    answer_channel = models.CharField(
        _("answer arrived"), max_length=10, blank=True, default="", db_default="", editable=False,
        help_text=_("How the answer that closed it (completed or rejected) arrived: the channel of that event."),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referrals_created",
        verbose_name=_("created by"),
    )
    kecamatan = models.ForeignKey(
        "clients.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("kecamatan"),
        help_text=_("Where the person lived when referred (set by the database when the referral is made)."),
    )
    class PlaceRelease(models.TextChoices):
        DIED = "died", _("The beneficiary died")
        MOVED_OUT = "moved_out", _("The beneficiary moved out of the district")
        GRANT_ENDED = "grant_ended", _("The grant ended")

    place_released_at = models.DateTimeField(_("place freed at"), null=True, blank=True, editable=False)
    place_release_reason = models.CharField(
        _("why the place was freed"), max_length=12, choices=PlaceRelease.choices, blank=True, editable=False
    )
    # The person did not meet the service's eligibility rule (desks.EligibilityRule); the head
    # referred them anyway: why, who, and the reasons that were overridden.
    eligibility_override_reason = models.CharField(
        _("head's reason to refer although not eligible"), max_length=255, blank=True, editable=False
    )
    eligibility_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("eligibility overridden by"), editable=False, db_index=False,
    )
    eligibility_reasons = models.CharField(_("not eligible because"), max_length=500, blank=True, editable=False)
    news_at = models.DateTimeField(
        _("news for the front desk since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the last outcome, rejection or return was recorded: news for every front-desk and data officer until each has opened it."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="referral_number_per_year"),
            models.CheckConstraint(
                condition=~Q(status="completed") | ~Q(outcome=""),
                name="referral_completed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=False) | Q(waitlisted_at__isnull=False),
                name="referral_sent_or_waiting",
            ),
            # A value in rupiah is money given; aid in kind has none; only a grant has either.
            models.CheckConstraint(
                condition=(Q(aid_kind="") & Q(aid_value__isnull=True))
                | (Q(aid_kind="money") & Q(aid_value__isnull=False) & Q(outcome="granted"))
                | (Q(aid_kind="in_kind") & Q(aid_value__isnull=True) & Q(outcome="granted")),
                name="referral_aid_kind_and_value",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "status", "due_on"], name="referral_inbox_idx"),
            models.Index(fields=["service", "status"], name="referral_service_status_idx"),
            models.Index(fields=["news_at"], condition=Q(news_at__isnull=False), name="referral_news_idx"),
            # the few overridden ones: deleting a user looks its PROTECT references up here
            models.Index(fields=["eligibility_override_by"], condition=Q(eligibility_override_by__isnull=False),
                         name="referral_override_by_idx"),
            models.Index(
                fields=["service", "waitlisted_at"],
                condition=Q(status="waiting"),
                name="referral_waiting_idx",
            ),
            # The dashboard's medians (completed referrals of a period) and "overdue now" (open
            # referrals not yet due), read from the index alone.
            models.Index(
                fields=["created_at"],
                include=["provider", "service", "kecamatan", "days_to_close"],
                condition=Q(status="completed"),
                name="referral_completed_idx",
            ),
            # How the outcomes arrived (the dashboard): the answered referrals of a period.
            models.Index(
                fields=["created_at"],
                include=["provider", "kecamatan", "answer_channel", "days_to_close"],
                condition=Q(status__in=("completed", "rejected")),
                name="referral_answered_idx",
            ),
            models.Index(
                fields=["due_on"],
                include=["created_at", "provider", "service", "kecamatan"],
                condition=Q(status__in=("sent", "received", "accepted", "returned")),
                name="referral_open_due_idx",
            ),
            # The dashboard's days around the whole months its counters hold: every referral made
            # on those days, its cell read from the index alone.
            models.Index(
                fields=["created_at"],
                include=["provider", "service", "kecamatan", "status", "outcome", "closed_at", "due_on"],
                name="referral_made_idx",
            ),
            # The places a quota service's referrals hold since its period began (the front desk
            # before each referral, the dashboard), counted from the index alone.
            models.Index(fields=["service", "sent_at"], condition=HOLDS_PLACE, name="referral_place_idx"),
            # What the aid was worth (the dashboard, the monthly report): grants by completion time.
            models.Index(
                fields=["closed_at"],
                include=["provider", "service", "kecamatan", "aid_kind", "aid_value"],
                condition=Q(status="completed", outcome="granted"),
                name="referral_granted_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def return_code_display(self) -> str:
        """The return code as printed: two groups of four ("ACDE-FH34")."""
        half = RETURN_CODE_LENGTH // 2
        return f"{self.return_code[:half]}-{self.return_code[half:]}"

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.due_on and self.status in self.OPEN_STATUSES and self.due_on < timezone.localdate()
        )

    @property
    def checklist(self) -> list[tuple[str, bool]]:
        return [(doc, doc in self.documents_checked) for doc in self.required_documents]

    @property
    def missing_documents(self) -> list[str]:
        return [doc for doc in self.required_documents if doc not in self.documents_checked]


def _counted(model: str, *, null: bool = False) -> models.ForeignKey:
    """A counter cell's key: no foreign-key constraint (the triggers write cells in bulk, and the
    cells of a deleted row are simply never read), no reverse accessor."""
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False, null=null, related_name="+")


class ReferralStateCell(models.Model):
    """A counter cell of referrals made in a month (or on a day) in one state (granted, completed
    within SLA): ReferralMonth, its parts without the kecamatan and with the kecamatan alone, and
    those two per day."""

    status = models.CharField(max_length=10)
    granted = models.BooleanField()
    within_sla = models.BooleanField()
    referrals = models.IntegerField(default=0)

    class Meta:
        abstract = True


class ReferralMonth(ReferralStateCell):
    """Referrals per month made, provider, service, kecamatan, state, outcome granted and
    completion within the SLA. Kept exact by database triggers on referrals (migration
    referrals/migrations/0003_referral_months.py) in the same transaction as every change, so the dashboard adds up
    these rows for whole months instead of reading every referral."""

    month = models.DateField()
    provider = _counted("desks.Provider")
    service = _counted("desks.Service")
    kecamatan = _counted("clients.Region", null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "provider", "service", "kecamatan", "status", "granted", "within_sla"],
                nulls_distinct=False,
                name="referral_month_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.service_id} {self.status}: {self.referrals}"


class ReferralServiceMonth(ReferralStateCell):
    """ReferralMonth without the kecamatan: referrals per month made, provider, service, state,
    granted and within SLA, so the dashboard's tables per provider, service and month add up a
    few thousand cells instead of every kecamatan's. Kept by triggers (migration referrals 0013)."""

    month = models.DateField()
    provider = _counted("desks.Provider")
    service = _counted("desks.Service")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "provider", "service", "status", "granted", "within_sla"],
                                    name="referral_service_month_cell")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.service_id} {self.status}: {self.referrals}"


class ReferralKecamatanMonth(ReferralStateCell):
    """ReferralMonth per kecamatan alone: referrals per month made, kecamatan, state, granted and
    within SLA (the dashboard's table per kecamatan). Kept by triggers (migration referrals 0013)."""

    month = models.DateField()
    kecamatan = _counted("clients.Region", null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "kecamatan", "status", "granted", "within_sla"],
                                    nulls_distinct=False, name="referral_kecamatan_month_cell")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kecamatan_id} {self.status}: {self.referrals}"


class ReferralServiceDay(ReferralStateCell):
    """ReferralServiceMonth per day made: the days of a period before its first whole month and
    after its last, added up instead of read referral by referral. Kept by triggers (migration
    referrals 0013)."""

    day = models.DateField()
    provider = _counted("desks.Provider")
    service = _counted("desks.Service")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "provider", "service", "status", "granted", "within_sla"],
                                    name="referral_service_day_cell")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.service_id} {self.status}: {self.referrals}"


class ReferralKecamatanDay(ReferralStateCell):
    """ReferralKecamatanMonth per day made (the days around a period's whole months). Kept by
    triggers (migration referrals 0013)."""

    day = models.DateField()
    kecamatan = _counted("clients.Region", null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "kecamatan", "status", "granted", "within_sla"],
                                    nulls_distinct=False, name="referral_kecamatan_day_cell")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kecamatan_id} {self.status}: {self.referrals}"


class ReferralCompletedDays(models.Model):
    """Completed referrals per month made, service (and its provider) and whole days from sending
    to completion: the dashboard's and the monthly report's median days to completion, added up
    for whole months instead of sorting every completed referral. Kept exact by database triggers
    (migration referrals 0013), like ReferralMonth."""

    month = models.DateField()
    provider = _counted("desks.Provider")
    service = _counted("desks.Service")
    days = models.IntegerField()
    referrals = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "provider", "service", "days"], name="referral_completed_days_cell")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.service_id} {self.days} d: {self.referrals}"


class ReferralAnswerDays(models.Model):
    """Answered referrals (completed or rejected) per month made, provider, the channel the answer
    arrived by and whole days from sending to the answer: how outcomes arrived and how long each
    channel took (the dashboard, the monthly report). Kept exact by database triggers (migration
    referrals 0013)."""

    month = models.DateField()
    provider = _counted("desks.Provider")
    channel = models.CharField(max_length=10)
    days = models.IntegerField()
    referrals = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "provider", "channel", "days"], name="referral_answer_days_cell")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.provider_id} {self.channel} {self.days} d: {self.referrals}"


class ReferralAidMonth(models.Model):
    """Grants per month completed, provider, service, kecamatan and how the aid was given (in rupiah,
    in kind, not stated), with the rupiah given: what the aid was worth (the dashboard, the monthly
    report) added up for whole months. Kept exact by database triggers (migration referrals 0013)."""

    month = models.DateField()
    provider = _counted("desks.Provider")
    service = _counted("desks.Service")
    kecamatan = _counted("clients.Region", null=True)
    aid_kind = models.CharField(max_length=8)
    grants = models.IntegerField(default=0)
    rupiah = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "provider", "service", "kecamatan", "aid_kind"],
                                    nulls_distinct=False, name="referral_aid_month_cell")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.service_id} {self.aid_kind or '-'}: {self.grants}, Rp {self.rupiah}"


class CaseOpenedDay(models.Model):
    """Cases per day opened and pathway (the dashboard, the monthly report): a few thousand cells
    a year, a period adds up its days. Kept exact by database triggers (migration referrals 0013)."""

    day = models.DateField()
    pathway = models.CharField(max_length=20)
    cases = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "pathway"], name="case_opened_day_cell")]

    def __str__(self) -> str:
        return f"{self.day} {self.pathway}: {self.cases}"


class CaseClosedDay(models.Model):
    """Closed cases per day closed and why (a case reopened and closed again counts where it was
    last closed), kept exact by database triggers (migration referrals 0013)."""

    day = models.DateField()
    closure_reason = models.CharField(max_length=20)
    cases = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "closure_reason"], name="case_closed_day_cell")]

    def __str__(self) -> str:
        return f"{self.day} {self.closure_reason}: {self.cases}"


class ReferralOpenDue(models.Model):
    """Open referrals (sent, received, accepted, returned) per provider and due date: the home
    pages' "overdue" is the open ones minus those due today or later, a few hundred cells
    instead of every open referral. Kept exact by database triggers (migration referrals 0015)."""

    provider = _counted("desks.Provider")
    due_on = models.DateField(null=True)
    referrals = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "due_on"], name="referral_open_due_cell",
                                               nulls_distinct=False)]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.due_on or '-'}: {self.referrals}"


class ServedPersonDay(models.Model):
    """A day a person was served: a queue ticket issued to them, or a case opened for them (WITA),
    with the day they were last served before it. The distinct persons served in a period are the
    person-days in it less those whose previous day is in it too (ServedDay, ServedAgain). Kept
    by database triggers on tickets and cases (migration referrals 0014), a person's days counted
    again from their rows at each change. The person is a number, not a relation: a merge of two
    persons moves their tickets and cases, and the triggers move their days."""

    person_id = models.BigIntegerField()
    day = models.DateField()
    previous_day = models.DateField(null=True)
    services = models.IntegerField(default=0)  # the person's tickets and cases of that day

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person_id", "day"], name="served_person_day_cell")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day} (before: {self.previous_day or '-'}): {self.services}"


class ServedDay(models.Model):
    """Persons served per day (a person counts once a day), kept with ServedPersonDay."""

    day = models.DateField()
    persons = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day"], name="served_day_cell")]

    def __str__(self) -> str:
        return f"{self.day}: {self.persons}"


class ServedAgain(models.Model):
    """Persons served on a day who had been served before, per that day and the day they were
    last served before it. A period's repeat visitors are the cells with both days in it: at most
    a cell per pair of the period's days, however many persons come."""

    day = models.DateField()
    previous_day = models.DateField()
    persons = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["previous_day", "day"], name="served_again_cell")]

    def __str__(self) -> str:
        return f"{self.day} (before: {self.previous_day}): {self.persons}"


class ReferralEvent(models.Model):
    """One step on a referral's timeline. Append-only: the database refuses UPDATE and DELETE."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    class Channel(models.TextChoices):
        APP = "app", _("In Pandu, by the provider's officer")
        OFFICE = "office", _("Entered by the office for the provider")
        API = "api", _("From the agency's system (API)")
        REPLY_SLIP = "reply_slip", _("From the reply slip")
        SYSTEM = "system", _("By Pandu itself")

    action = models.CharField(_("action"), max_length=20)
    channel = models.CharField(_("how it arrived"), max_length=10, choices=Channel.choices, default=Channel.APP)
    from_status = models.CharField(
        _("from"), max_length=10, choices=Referral.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Referral.Status.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_idx")]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.from_status or '-'} → {self.to_status}"


def attachment_path(instance, filename: str) -> str:
    return f"referrals/{timezone.localdate():%Y/%m}/{secrets.token_hex(12)}.{filename.rsplit('.', 1)[-1]}"


class ReferralAttachment(models.Model):
    """A scanned document: a PDF or a re-encoded image, stored privately.

    When the retention period after the case closed has passed, the file is deleted and the
    row stays (``removed_at``, ``removed_note``): the timeline still shows a document was
    attached (``pandu.office.retention``)."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        IMAGE = "image", _("Image")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    document = models.CharField(_("document"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    file = models.FileField(
        _("file"), upload_to=attachment_path, storage=private_files, blank=True
    )
    original_name = models.CharField(_("original file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    removed_at = models.DateTimeField(_("file removed at"), null=True, blank=True)
    removed_note = models.CharField(_("why the file was removed"), max_length=255, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(file=""),
                name="attachment_removed_has_no_file",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class OutcomeRead(models.Model):
    """One user has opened a referral's news (its outcome, rejection or return): news is read
    per user, so a colleague on the next shift still sees what the first did not act on."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("outcome read")
        verbose_name_plural = _("outcomes read")
        constraints = [models.UniqueConstraint(fields=["referral", "user"], name="outcome_read_once")]

    def __str__(self) -> str:
        return f"{self.user} read {self.referral} at {self.read_at:%Y-%m-%d %H:%M}"
