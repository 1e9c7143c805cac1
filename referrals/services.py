"""Writes of the referrals app: cases, referrals and their state machine, recommendations.

Every state change of a referral goes through ``referral_transition`` and the one table
``TRANSITIONS``: it locks the referral row (SELECT ... FOR UPDATE), checks the move is
allowed from the state it finds, and appends an event to the timeline. Two officers
pressing "accept" at once: the second waits for the first's commit, then finds the
referral accepted and is told by whom.

Quota services (``Service.quota``): a referral **holds a place** from when it is sent until
it ends without a grant, i.e. places taken = sent + received + returned + accepted +
completed-granted. When none is free a new referral goes onto the service's waiting list
(oldest first). When a place holder is rejected, cancelled or completed not granted, the
oldest waiting referral is sent in the same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients import hooks
from clients.images import process_image
from clients.models import Person, RegistryStatus
from clients.programmes import participation_record
from desks.eligibility import Eligibility, eligibility_for, service_eligibility
from desks.models import Domain, Pathway, Service
from desks.services import in_office_desk, itinerary_plan, ticket_link_person
from pandu import roles
from pandu.identity import office_identity
from pandu.numbering import sequence_next
from pandu.workdays import working_days_after
from referrals import hooks as referral_hooks
from referrals.case_records import aid_follow_up_plan, case_event_add
from referrals.models import (
    HOLDS_PLACE,
    Case,
    CaseEvent,
    CaseFollowUp,
    CaseNeed,
    OutcomeRead,
    Recommendation,
    Referral,
    ReferralAttachment,
    ReferralEvent,
    new_return_code,
)

S = Referral.Status

# Who may take an action: the provider's side (its desk officers, or the front desk for a
# provider without a desk in the office), the front desk's side, or the system itself.
PROVIDER, FRONT, SYSTEM = "provider", "front", "system"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    side: str
    label: object
    note_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    "receive": Transition((S.SENT,), S.RECEIVED, PROVIDER, gettext_lazy("Receive")),
    "accept": Transition((S.RECEIVED,), S.ACCEPTED, PROVIDER, gettext_lazy("Accept")),
    "complete": Transition(
        (S.ACCEPTED,), S.COMPLETED, PROVIDER, gettext_lazy("Record the outcome")
    ),
    "reject": Transition(
        (S.SENT, S.RECEIVED, S.ACCEPTED), S.REJECTED, PROVIDER, gettext_lazy("Reject"), True
    ),
    "return": Transition(
        (S.SENT, S.RECEIVED), S.RETURNED, PROVIDER, gettext_lazy("Return for documents"), True
    ),
    "resend": Transition((S.RETURNED,), S.SENT, FRONT, gettext_lazy("Send again")),
    "cancel": Transition(
        (S.WAITING, S.SENT, S.RECEIVED, S.RETURNED, S.ACCEPTED),
        S.CANCELLED,
        FRONT,
        gettext_lazy("Cancel"),
        True,
    ),
    "promote": Transition(
        (S.WAITING,), S.SENT, SYSTEM, gettext_lazy("Moved up from the waiting list")
    ),
}

PLACE_HOLDING = (S.SENT, S.RECEIVED, S.RETURNED, S.ACCEPTED)
# The provider's answers that close a referral.
ANSWERS = (S.COMPLETED, S.REJECTED)
# Outcomes the front desk must learn about: it is told by the in-app count.
NEWS_FOR_FRONT_DESK = (S.COMPLETED, S.REJECTED, S.RETURNED)

PDF_MAGIC = b"%PDF-"


def holds_place_q() -> Q:
    """A referral holds one of its service's places: on its way, or granted and not freed."""
    return HOLDS_PLACE


def period_start(service: Service, at: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the service's current quota period began (1 January, office time), or None."""
    if service.quota_period != Service.QuotaPeriod.YEAR:
        return None
    local = timezone.localtime(at or timezone.now())
    return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def places_taken(service: Service, at: datetime.datetime | None = None) -> int:
    """The places held in the current period: those sent (or moved up) since it began."""
    taken = Referral.objects.filter(holds_place_q(), service=service)
    start = period_start(service, at)
    if start is not None:
        taken = taken.filter(sent_at__gte=start)
    return taken.count()


def waiting_in_order(service: Service) -> QuerySet[Referral]:
    """The service's waiting list in the order places are offered: the poorest first by the
    household's latest validated verivali class (``welfare_rank``, 0 = very poor; never assessed
    last), then the longest waiting."""
    return (
        Referral.objects.filter(service=service, status=S.WAITING)
        .annotate(welfare_rank=hooks.welfare_rank_expression(OuterRef("case__person__household_id")))
        .order_by(F("welfare_rank").asc(nulls_last=True), "waitlisted_at", "pk")
    )


def referral_number(*, sequence: int, when: datetime.datetime) -> str:
    """In the office's format (the admin's office identity): 0001/RJK/UPTD-PTKS/XI/2026."""
    return office_identity().referral_number(seq=sequence, day=timezone.localdate(when))


def pathway_proposed(household) -> str:
    """The pathway the registry suggests: listed, in verification, or else a recommendation."""
    status = household.registry_status if household else RegistryStatus.NOT_LISTED
    if status == RegistryStatus.LISTED:
        return Pathway.LISTED
    if status == RegistryStatus.IN_VERIFICATION:
        return Pathway.IN_VERIFICATION
    return Pathway.RECOMMENDATION


def pathway_refusal(service: Service, pathway: str) -> str | None:
    """Why a service cannot be given on this pathway, and what to do instead; None if it can."""
    if service.accepts(pathway):
        return None
    label = Pathway(pathway).label
    if Pathway.RECOMMENDATION in service.accepted_pathways:
        advice = _(
            "Request a Dinas Sosial recommendation; once the head approves it, refer on that pathway."
        )
    elif pathway != Pathway.LISTED:
        advice = _(
            "This service is only for households listed in the poor-household database: report the household "
            "at the data desk so that verivali can list it."
        )
    else:
        advice = _("Choose the pathway this service accepts.")
    return _("%(service)s does not accept the pathway “%(pathway)s”. %(advice)s") % {
        "service": service.name,
        "pathway": label,
        "advice": advice,
    }


def latest_approved_recommendation(person) -> Recommendation | None:
    return (
        Recommendation.objects.filter(person=person, status=Recommendation.Status.APPROVED)
        .order_by("-decided_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class NeedInput:
    """A need found in the assessment: its domain, what the citizen needs, and either the
    services it is referred to or what the office did about it (``handled_note``). With
    neither it stays open on the case page."""

    domain: str
    description: str
    services: tuple[Service, ...] = ()
    handled_note: str = ""


def _needs_of(needs: list[NeedInput], services: list[Service]) -> list[NeedInput]:
    """The assessment's needs, checked, plus one need per domain for the services chosen
    outside it (their names say what the citizen needs)."""
    checked = []
    for need in needs:
        description, handled = need.description.strip(), need.handled_note.strip()
        label = Domain(need.domain).label if need.domain in Domain.values else need.domain
        if need.domain not in Domain.values:
            raise ValidationError(_("Choose the domain of each need."))
        if need.services and handled:
            raise ValidationError(
                _("%(domain)s: refer the need or record it as handled at the office, not both.") % {"domain": label}
            )
        if not description:
            raise ValidationError(_("%(domain)s: say what the citizen needs.") % {"domain": label})
        checked.append(NeedInput(need.domain, description[:255], tuple(need.services), handled))
    covered = {service.pk for need in checked for service in need.services}
    by_domain: dict[str, list[Service]] = {}
    for service in services:
        if service.pk not in covered:
            by_domain.setdefault(service.domain or Domain.SOCIAL_ASSISTANCE, []).append(service)
            covered.add(service.pk)
    for domain, chosen in by_domain.items():
        checked.append(NeedInput(domain, ", ".join(s.name for s in chosen)[:255], tuple(chosen)))
    return checked


def case_worker_check(user) -> None:
    if user is not None and not (user.is_active and roles.has_role(user, roles.CASE_WORKER)):
        raise ValidationError(_("%(name)s is not an active case worker.") % {"name": user.get_username()})


def case_workers() -> QuerySet:
    """The active accounts with the case worker role, to assign cases to."""
    return (
        get_user_model()
        .objects.filter(groups__name=roles.CASE_WORKER, is_active=True)
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


@transaction.atomic
def case_open(
    *,
    person,
    pathway: str,
    decided_by,
    services: list[Service] = (),
    needs: list[NeedInput] = (),
    case_worker=None,
    override_reason: str = "",
    ticket=None,
    note: str = "",
    at: datetime.datetime | None = None,
) -> Case:
    """Open a case with its needs assessment: each need referred (one referral per service),
    handled at the office, or left open; nothing is saved when a service is refused.

    ``services`` chosen outside the assessment become needs of their domains."""
    at = at or timezone.now()
    needs = _needs_of(list(needs), list(services))
    if not needs:
        raise ValidationError(_("Record at least one need: refer it to a service or say how the office handled it."))
    case_worker_check(case_worker)
    services = [service for need in needs for service in need.services]
    proposed = pathway_proposed(person.household)
    override_reason = override_reason.strip()
    if pathway != proposed and not override_reason:
        raise ValidationError(
            _("The registry proposes “%(proposed)s”. Give the reason for choosing another pathway.")
            % {"proposed": Pathway(proposed).label}
        )
    recommendation = None
    if pathway == Pathway.RECOMMENDATION:
        recommendation = latest_approved_recommendation(person)
        if recommendation is None:
            raise ValidationError(
                _(
                    "%(name)s has no approved Dinas Sosial recommendation. Request a recommendation "
                    "first; the head approves it, then open the case on that pathway."
                )
                % {"name": person.full_name}
            )
    refusals = [message for service in services if (message := pathway_refusal(service, pathway))]
    refusals += [
        _("%(service)s: not eligible. %(reasons)s Leave it unticked: the need stays open on the case page, where "
          "the head may refer it anyway with a written reason.") % {"service": answer.service.name,
                                                                    "reasons": " ".join(answer.reasons)}
        for answer in eligibility_for(person, services).values() if not answer.eligible
    ] if services else []
    if refusals:
        raise ValidationError(refusals)
    if ticket is not None:
        if ticket.person_id not in (None, person.pk):
            raise ValidationError(_("Ticket %(number)s belongs to another person.") % {"number": ticket.number})
        if ticket.person_id is None:
            ticket_link_person(ticket=ticket, person=person)
    case = Case.objects.create(
        person=person,
        ticket=ticket,
        registry_status=person.household.registry_status if person.household else "",
        proposed_pathway=proposed,
        pathway=pathway,
        pathway_decided_by=decided_by,
        pathway_override_reason=override_reason if pathway != proposed else "",
        recommendation=recommendation,
        note=note,
        created_by=decided_by,
        case_worker=case_worker,
        assigned_at=at if case_worker is not None else None,
    )
    Case.objects.filter(pk=case.pk).update(created_at=at)
    case_event_add(case=case, action=CaseEvent.Action.OPENED, actor=decided_by, at=at,
                   note=", ".join(str(Domain(need.domain).label) for need in needs))
    if case_worker is not None:
        case_event_add(case=case, action=CaseEvent.Action.ASSIGNED, actor=decided_by, at=at,
                       note=case_worker.get_full_name() or case_worker.get_username())
    referrals = []
    for need in needs:
        row = CaseNeed.objects.create(
            case=case,
            domain=need.domain,
            description=need.description,
            created_by=decided_by,
            handled_at=at if need.handled_note else None,
            handled_by=decided_by if need.handled_note else None,
            handled_note=need.handled_note,
        )
        if need.handled_note:
            case_event_add(case=case, action=CaseEvent.Action.NEED_HANDLED, actor=decided_by, at=at,
                           note=f"{row.description}: {need.handled_note}")
        referrals += [
            referral_create(case=case, service=service, created_by=decided_by, at=at, need=row)
            for service in need.services
        ]
    if ticket is not None:
        _plan_visit(ticket, referrals, officer=decided_by, send_on=True)
    return case


def _plan_visit(ticket, referrals: list[Referral], *, officer, send_on: bool) -> None:
    """The in-office desks these referrals need join the visit's itinerary (a referral on the
    waiting list has no place yet: its desk has nothing to do today)."""
    stops = []
    for referral in referrals:
        desk = in_office_desk(referral.provider) if referral.status == Referral.Status.SENT else None
        if desk is not None:
            stops.append((desk, f"{referral.number} · {referral.service.name}"))
    if stops:
        itinerary_plan(ticket=ticket, stops=stops, officer=officer, send_on=send_on)


def _eligibility_override(answer: Eligibility, *, actor, override_reason: str) -> dict:
    """The referral's fields when the person is not eligible and the head refers anyway; a
    refusal naming the reasons otherwise."""
    if answer.eligible:
        return {}
    reasons = " ".join(answer.reasons)
    if not override_reason.strip():
        raise ValidationError(_("%(service)s: not eligible. %(reasons)s Only the head can refer anyway, with a "
                                "written reason.") % {"service": answer.service.name, "reasons": reasons})
    if not roles.has_role(actor, roles.HEAD):
        raise ValidationError(_("Only the head can refer a person who is not eligible."))
    return {"eligibility_override_reason": override_reason.strip()[:255], "eligibility_override_by": actor,
            "eligibility_reasons": reasons[:500]}


@transaction.atomic
def case_add_need(*, case: Case, service: Service, actor, ticket=None, need: CaseNeed | None = None,
                  override_reason: str = "") -> Referral:
    """Refer a need: an open need of the assessment (``need``, to a service of its domain), or
    a need found later (at an agency's desk, or back at the front desk), recorded in the
    service's domain. One more referral of the case, on the case's pathway, with its letter;
    its desk joins the visit's itinerary."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(_("This case is closed: reopen it to refer another need."))
    if need is not None:
        need = CaseNeed.objects.select_for_update().get(pk=need.pk, case=case)
        if need.handled_at is not None:
            raise ValidationError(_("This need was handled at the office."))
        if service.domain != need.domain:
            raise ValidationError(
                _("%(service)s is not a service of the domain “%(domain)s”.")
                % {"service": service.name, "domain": need.get_domain_display()}
            )
    else:
        need = CaseNeed.objects.create(
            case=case, domain=service.domain or Domain.SOCIAL_ASSISTANCE, description=service.name[:255],
            created_by=actor,
        )
        case_event_add(case=case, action=CaseEvent.Action.NEED_RECORDED, actor=actor,
                       note=f"{need.get_domain_display()}: {need.description}")
    override = _eligibility_override(service_eligibility(service, case.person), actor=actor,
                                     override_reason=override_reason)
    referral = referral_create(case=case, service=service, created_by=actor, need=need, **override)
    note = f"{need.description} → {referral.number} · {service.name}"
    if override:
        note += " — " + _("not eligible, referred by the head: %(reason)s") % {
            "reason": override["eligibility_override_reason"]}
    case_event_add(case=case, action=CaseEvent.Action.NEED_REFERRED, actor=actor, note=note)
    ticket = ticket or case.ticket
    if ticket is not None:
        _plan_visit(ticket, [referral], officer=actor, send_on=False)
    return referral


@transaction.atomic
def referral_create(
    *, case: Case, service: Service, created_by, at: datetime.datetime | None = None, need: CaseNeed | None = None,
    eligibility_override_reason: str = "", eligibility_override_by=None, eligibility_reasons: str = "",
) -> Referral:
    """A numbered referral to the service's provider: sent, or on the waiting list when the quota is full."""
    at = at or timezone.now()
    refusal = pathway_refusal(service, case.pathway)
    if refusal:
        raise ValidationError(refusal)
    waiting = False
    if service.quota is not None:
        # One creator at a time per quota service, so two cannot take the last place.
        service = Service.objects.select_for_update().get(pk=service.pk)
        waiting = places_taken(service) >= service.quota
    year = timezone.localtime(at).year
    sequence = sequence_next(name="referral", period=str(year))
    referral = Referral.objects.create(
        case=case,
        need=need,
        service=service,
        provider_id=service.provider_id,
        year=year,
        sequence=sequence,
        number=referral_number(sequence=sequence, when=at),
        status=S.WAITING if waiting else S.SENT,
        sent_at=None if waiting else at,
        due_on=None if waiting else _due_on(service, at),
        waitlisted_at=at if waiting else None,
        required_documents=list(service.required_documents),
        return_code=unused_return_code(),
        created_by=created_by,
        eligibility_override_reason=eligibility_override_reason,
        eligibility_override_by=eligibility_override_by,
        eligibility_reasons=eligibility_reasons,
    )
    Referral.objects.filter(pk=referral.pk).update(created_at=at)
    event = ReferralEvent.objects.create(
        referral=referral,
        at=at,
        actor=created_by,
        action="create",
        to_status=referral.status,
        note=_("Quota full: placed on the waiting list.") if waiting else "",
    )
    referral_hooks.referral_changed(referral=referral, event=event)
    return referral


def unused_return_code() -> str:
    """A reply slip's return code no referral has yet (the unique constraint stays the guard)."""
    while True:
        code = new_return_code()
        if not Referral.objects.filter(return_code=code).exists():
            return code


def _due_on(service: Service, at: datetime.datetime) -> datetime.date:
    """The SLA's working days after the day it is sent (pandu.workdays); stored, so a closure
    day entered later moves no date already given."""
    return working_days_after(timezone.localdate(at), service.sla_days)


def _describe_last_move(referral: Referral) -> str:
    event = referral.events.select_related("actor").order_by("-at", "-pk").first()
    if event is None or event.actor is None:
        return ""
    return _("by %(who)s on %(when)s") % {
        "who": event.actor.get_full_name() or event.actor.get_username(),
        "when": date_format(timezone.localtime(event.at), "DATETIME_FORMAT"),
    }


@transaction.atomic
def referral_transition(
    *,
    referral: Referral,
    action: str,
    actor,
    note: str = "",
    outcome: str = "",
    outcome_detail: str = "",
    aid_value: int | None = None,
    aid_kind: str = "",
    channel: str = "",
    at: datetime.datetime | None = None,
) -> Referral:
    """Move a referral along one allowed transition and append the event to its timeline.

    A grant records what it was worth: ``aid_value`` in rupiah, or ``aid_kind`` "in_kind" (what
    was given is the outcome detail). The office's forms ask for one of them; an agency's system
    may send neither (the value is then "not stated" in the reports).

    ``channel`` says how the move arrived (``ReferralEvent.Channel``): by default in the app,
    or by Pandu itself for a system move; the office entering a provider's answer, the
    agency's system and the reply slip say so."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    move = TRANSITIONS[action]
    at = at or timezone.now()
    note = note.strip()
    referral = Referral.objects.select_for_update().select_related("service").get(pk=referral.pk)
    if referral.status not in move.sources:
        if action == "accept" and referral.status == S.ACCEPTED:
            raise ValidationError(
                _("Someone else took this referral first: it was already accepted %(by)s.")
                % {"by": _describe_last_move(referral)}
            )
        raise ValidationError(
            _("This referral is now “%(status)s” %(by)s; “%(action)s” is not possible any more.")
            % {
                "status": referral.get_status_display(),
                "by": _describe_last_move(referral),
                "action": move.label,
            }
        )
    if move.note_required and not note:
        raise ValidationError(_("Write the reason: the front desk and the citizen must know it."))
    held_place = referral.service.quota is not None and holds_place(referral)
    previous = referral.status
    fields = {"status": move.target, "updated_at": timezone.now()}
    if action == "accept":
        fields["accepted_by"] = actor
    if action == "complete":
        if outcome not in Referral.Outcome.values:
            raise ValidationError(_("Choose the outcome: granted or not granted."))
        outcome_detail = outcome_detail.strip()
        if not outcome_detail:
            raise ValidationError(
                _("Say what was granted.")
                if outcome == Referral.Outcome.GRANTED
                else _("Say why it was not granted.")
            )
        aid_kind = aid_checked(outcome=outcome, aid_value=aid_value, aid_kind=aid_kind)
        fields.update(outcome=outcome, outcome_detail=outcome_detail[:255], aid_value=aid_value, aid_kind=aid_kind)
    if action in ("resend", "promote"):
        fields.update(sent_at=at, due_on=_due_on(referral.service, at))
    channel = ReferralEvent.Channel.SYSTEM if move.side == SYSTEM else (channel or ReferralEvent.Channel.APP)
    if move.target in Referral.CLOSED_STATUSES:
        fields["closed_at"] = at
    if move.target in ANSWERS:  # the dashboard's "how the answers arrived" reads it
        fields["answer_channel"] = channel
    if move.target in NEWS_FOR_FRONT_DESK:
        fields["news_at"] = at
    Referral.objects.filter(pk=referral.pk).update(**fields)
    event_note = note
    if action == "complete":
        event_note = f"{Referral.Outcome(outcome).label}: {outcome_detail}" + (
            f" — {note}" if note else ""
        )
    event = ReferralEvent.objects.create(
        referral=referral,
        at=at,
        actor=None if move.side == SYSTEM else actor,
        action=action,
        channel=channel,
        from_status=previous,
        to_status=move.target,
        note=event_note,
    )
    referral.refresh_from_db()
    referral_hooks.referral_changed(referral=referral, event=event)
    if action == "complete" and outcome == Referral.Outcome.GRANTED:
        aid_follow_up_plan(referral=referral, at=at)
        _record_programme(referral, at=at)
    if held_place and not holds_place(referral):
        _promote_next(referral.service, at=at)
    return referral


def _record_programme(referral: Referral, *, at: datetime.datetime) -> None:
    """A grant of a service that enrols in a programme (``Service.participation_programme``): the
    person (or their household, for a household programme) receives it from today."""
    programme = referral.service.participation_programme
    if programme is None:
        return
    person = referral.case.person
    if programme.unit == programme.Unit.HOUSEHOLD and person.household_id is None:
        return
    participation_record(programme=programme, person=person, starts_on=timezone.localdate(at),
                         source=referral.number, as_of=timezone.localdate(at), referral_id=referral.pk)


def aid_checked(*, outcome: str, aid_value: int | None, aid_kind: str) -> str:
    """How the aid of an outcome was given: "money" with a value in rupiah, "in_kind" without
    one, "" when not stated; only a grant has either."""
    AidKind = Referral.AidKind
    if aid_kind not in ("", *AidKind.values):
        raise ValidationError(_("Choose how the aid was given: in rupiah or in kind."))
    if (aid_value is not None or aid_kind) and outcome != Referral.Outcome.GRANTED:
        raise ValidationError(_("The value of the aid is a positive amount, for a granted outcome only."))
    if aid_value is not None:
        if aid_value < 0:
            raise ValidationError(_("The value of the aid is a positive amount, for a granted outcome only."))
        if aid_kind == AidKind.IN_KIND:
            raise ValidationError(_("Aid in kind has no value in rupiah: leave the amount empty, or choose in rupiah."))
        return AidKind.MONEY
    if aid_kind == AidKind.MONEY:
        raise ValidationError(_("Type the value of the aid in rupiah, or choose in kind."))
    return aid_kind


# --- the reply slip (balasan rujukan) ----------------------------------------------------------

# What an agency can tick on the slip, and the transition that records it.
REPLY_SLIP_DECISIONS: dict[str, tuple[str, str]] = {
    "receive": ("receive", ""),
    "accept": ("accept", ""),
    "granted": ("complete", Referral.Outcome.GRANTED),
    "not_granted": ("complete", Referral.Outcome.NOT_GRANTED),
    "reject": ("reject", ""),
    "return": ("return", ""),
}


def provider_path(status: str, action: str) -> list[str] | None:
    """The provider's moves that lead from ``status`` to taking ``action`` (that one last), the
    fewest first: "complete" from "sent" is receive → accept → complete. None when the provider
    cannot get there (a referral returned, waiting or closed)."""
    provider_moves = {name: move for name, move in TRANSITIONS.items() if move.side == PROVIDER}
    paths: list[tuple[str, list[str]]] = [(status, [])]
    seen = {status}
    while paths:
        current, path = paths.pop(0)
        if current in provider_moves[action].sources:
            return [*path, action]
        for name, move in provider_moves.items():
            if current in move.sources and move.target not in seen and move.target not in Referral.CLOSED_STATUSES:
                seen.add(move.target)
                paths.append((move.target, [*path, name]))
    return None


@transaction.atomic
def referral_record_reply_slip(
    *,
    referral: Referral,
    decision: str,
    actor,
    detail: str = "",
    aid_value: int | None = None,
    aid_kind: str = "",
    slip_date: datetime.date | None = None,
    signed_by: str = "",
    at: datetime.datetime | None = None,
) -> Referral:
    """Record what an agency ticked on the letter's reply slip, as the agency's answer entered by
    ``actor`` (an officer of the office). A slip that skips states ("granted" on a referral
    still "sent") is recorded as each step in turn — received, accepted, completed — all in this
    transaction and each marked as from the reply slip. ``detail`` is what the slip says: what
    was granted, why not, the reason of a rejection or the missing documents."""
    if decision not in REPLY_SLIP_DECISIONS:
        raise ValidationError(_("Choose what the agency ticked on the slip."))
    action, outcome = REPLY_SLIP_DECISIONS[decision]
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status in Referral.CLOSED_STATUSES:
        raise ValidationError(
            _("Referral %(number)s is already closed (%(status)s on %(when)s): nothing was recorded.")
            % {
                "number": referral.number,
                "status": referral.get_status_display(),
                "when": date_format(timezone.localtime(referral.closed_at), "DATE_FORMAT") if referral.closed_at else "-",
            }
        )
    steps = provider_path(referral.status, action)
    if steps is None:
        raise ValidationError(
            _("Referral %(number)s is “%(status)s”: “%(decision)s” from a reply slip is not possible now.")
            % {"number": referral.number, "status": referral.get_status_display(),
               "decision": TRANSITIONS[action].label}
        )
    slip = []
    if slip_date is not None:
        slip.append(_("slip dated %(date)s") % {"date": date_format(slip_date, "DATE_FORMAT")})
    if signed_by.strip():
        slip.append(_("signed by %(name)s") % {"name": signed_by.strip()})
    slip_note = "; ".join(slip)
    detail = detail.strip()
    for step in steps:
        last = step == action
        note = slip_note
        if last and action in ("reject", "return"):
            note = f"{detail} — {slip_note}" if detail and slip_note else detail
        referral = referral_transition(
            referral=referral,
            action=step,
            actor=actor,
            note=note,
            outcome=outcome if last else "",
            outcome_detail=detail if last else "",
            aid_value=aid_value if last else None,
            aid_kind=aid_kind if last else "",
            channel=ReferralEvent.Channel.REPLY_SLIP,
            at=at,
        )
    return referral


def holds_place(referral: Referral) -> bool:
    return referral.place_released_at is None and (
        referral.status in PLACE_HOLDING
        or (referral.status == S.COMPLETED and referral.outcome == Referral.Outcome.GRANTED)
    )


def _promote_next(service: Service, *, at: datetime.datetime) -> Referral | None:
    """A place became free: send the oldest referral of the waiting list, if any."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    if places_taken(service) >= (service.quota or 0):
        return None
    nxt = waiting_in_order(service).select_for_update(of=("self",)).first()
    if nxt is None:
        return None
    return referral_transition(
        referral=nxt,
        action="promote",
        actor=None,
        note=_("A place became free: moved up from the waiting list."),
        at=at,
    )


@transaction.atomic
def referral_release_place(
    *, referral: Referral, reason: str, actor, note: str = "", at: datetime.datetime | None = None
) -> Referral:
    """The beneficiary died, moved out of the district, or the grant ended: the place is free
    and the next on the waiting list is offered it."""
    at = at or timezone.now()
    if reason not in Referral.PlaceRelease.values:
        raise ValidationError(_("Choose why the place is freed."))
    referral = Referral.objects.select_for_update().select_related("service").get(pk=referral.pk)
    if referral.service.quota is None or not holds_place(referral):
        raise ValidationError(_("This referral holds no place of a quota."))
    Referral.objects.filter(pk=referral.pk).update(place_released_at=at, place_release_reason=reason, updated_at=at)
    label = str(Referral.PlaceRelease(reason).label)
    ReferralEvent.objects.create(
        referral=referral, at=at, actor=actor, action="release", from_status=referral.status,
        to_status=referral.status, note=f"{label} — {note.strip()}" if note.strip() else label,
    )
    _promote_next(referral.service, at=at)
    referral.refresh_from_db()
    return referral


OPEN_STATUSES = (S.WAITING, S.SENT, S.RECEIVED, S.RETURNED, S.ACCEPTED)


@transaction.atomic
def referrals_close_for_death(*, person, died_on: datetime.date, actor) -> list[Referral]:
    """The desk recorded a death (``clients.changes.person_record_death``, through
    ``clients.hooks.register_death_listener``): each open referral of the person is cancelled and
    each quota place a granted one holds is freed, with that reason; the next on a waiting list is
    offered the place in the same transaction."""
    reason = _("The beneficiary died on %(on)s.") % {"on": date_format(died_on, "DATE_FORMAT")}
    changed = []
    for referral in Referral.objects.filter(case__person=person, status__in=OPEN_STATUSES).order_by("pk"):
        changed.append(referral_transition(referral=referral, action="cancel", actor=actor, note=reason))
    holding = Referral.objects.filter(holds_place_q(), case__person=person, service__quota__isnull=False)
    for referral in holding.order_by("pk"):
        changed.append(referral_release_place(referral=referral, reason=Referral.PlaceRelease.DIED, actor=actor,
                                              note=reason))
    return changed


def quota_upkeep(at: datetime.datetime | None = None) -> str:
    """The nightly quota work: free the places of beneficiaries recorded as deceased or moved
    away, and fill the places free in the current period (a new year's) from the waiting lists."""
    at = at or timezone.now()
    released = 0
    departed = {Person.LifeStatus.DECEASED: Referral.PlaceRelease.DIED, Person.LifeStatus.MOVED: Referral.PlaceRelease.MOVED_OUT}
    for life_status, reason in departed.items():
        holding = Referral.objects.filter(holds_place_q(), service__quota__isnull=False,
                                          case__person__life_status=life_status)
        for referral in holding:
            referral_release_place(referral=referral, reason=reason, actor=None, at=at)
            released += 1
    moved_up = 0
    for service in Service.objects.filter(quota__isnull=False, is_active=True):
        with transaction.atomic():
            while _promote_next(service, at=at) is not None:
                moved_up += 1
    return f"{released} places freed, {moved_up} referrals moved up from the waiting lists"


@transaction.atomic
def referral_set_documents(*, referral: Referral, documents: list[str], actor) -> Referral:
    """Tick the required documents that are present (the checklist)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status in Referral.CLOSED_STATUSES:
        raise ValidationError(_("This referral is closed; its documents can no longer change."))
    checked = [doc for doc in referral.required_documents if doc in set(documents)]
    if checked != referral.documents_checked:
        referral.documents_checked = checked
        referral.save(update_fields=["documents_checked", "updated_at"])
    return referral


def _validate_pdf(upload) -> None:
    limit = settings.UPLOAD_IMAGE_MAX_BYTES
    if not upload.size:
        raise ValidationError(_("The file is empty."))
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1_048_576, 1), "limit": round(limit / 1_048_576, 1)}
        )
    upload.seek(0)
    if upload.read(len(PDF_MAGIC)) != PDF_MAGIC:
        raise ValidationError(_("This file is not a PDF, or it is damaged."))
    upload.seek(0)


@transaction.atomic
def referral_attach(*, referral: Referral, upload, actor, document: str = "") -> ReferralAttachment:
    """Store a scanned document: a PDF (checked by its first bytes and size) or an image (re-encoded)."""
    name = (getattr(upload, "name", "") or "document")[:200]
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC or name.lower().endswith(".pdf"):
        _validate_pdf(upload)
        kind, content, size = ReferralAttachment.Kind.PDF, upload, upload.size
        stored_name = "document.pdf"
    else:
        processed = process_image(upload)
        kind, content, size = ReferralAttachment.Kind.IMAGE, processed.image, processed.image.size
        stored_name = "document.jpg"
    if document and document not in referral.required_documents:
        document = ""
    attachment = ReferralAttachment(
        referral=referral,
        document=document,
        kind=kind,
        original_name=name,
        size=size,
        uploaded_by=actor,
    )
    attachment.file.save(stored_name, content, save=False)
    attachment.save()
    return attachment


def referrals_mark_read(*, user, referrals) -> int:
    """This user has seen the news of these referrals (``selectors.unread_outcomes(user)`` for
    all of it); their colleagues' news stays until each opens it."""
    now = timezone.now()
    reads = [OutcomeRead(referral_id=r.pk, user=user, read_at=now) for r in referrals if r.news_at is not None]
    OutcomeRead.objects.bulk_create(
        reads, update_conflicts=True, unique_fields=["referral", "user"], update_fields=["read_at"]
    )
    return len(reads)


@transaction.atomic
def recommendation_request(*, person, reason: str, assessment: str, requested_by) -> Recommendation:
    reason, assessment = reason.strip(), assessment.strip()
    if not reason or not assessment:
        raise ValidationError(_("Write both the reason for the request and your assessment."))
    if Recommendation.objects.filter(
        person=person, status=Recommendation.Status.REQUESTED
    ).exists():
        raise ValidationError(
            _("A recommendation for this person is already waiting for the head's decision.")
        )
    return Recommendation.objects.create(
        person=person, reason=reason, assessment=assessment, requested_by=requested_by
    )


@transaction.atomic
def recommendation_decide(
    *,
    recommendation: Recommendation,
    approve: bool,
    decided_by,
    note: str = "",
    at: datetime.datetime | None = None,
) -> Recommendation:
    """The head approves (the letter gets its number) or refuses (with a reason)."""
    at = at or timezone.now()
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status != Recommendation.Status.REQUESTED:
        raise ValidationError(
            _("This recommendation was already %(status)s.")
            % {"status": recommendation.get_status_display()}
        )
    note = note.strip()
    if not approve and not note:
        raise ValidationError(_("Write the reason for refusing."))
    recommendation.decided_by = decided_by
    recommendation.decided_at = at
    recommendation.decision_note = note[:255]
    if approve:
        day = timezone.localdate(at)
        sequence = sequence_next(name="recommendation", period=str(day.year))
        recommendation.number = office_identity().recommendation_number(seq=sequence, day=day)
        recommendation.status = Recommendation.Status.APPROVED
    else:
        recommendation.status = Recommendation.Status.REFUSED
    recommendation.save()
    return recommendation


# --- anonymising a person (pandu.office.privacy) -----------------------------------------------


def person_referrals_anonymise(*, person, removed_text: str) -> list[str]:
    """The person's cases, referrals and recommendations stay (services, states, outcomes and times
    count in the reports); their free texts are replaced and the scanned documents deleted.
    The timeline's events and the case's history are evidence the database refuses to change: they stay
    as written.
    Returns the stored files, for the caller to delete once the transaction commits."""
    now = timezone.now()
    cases = Case.objects.filter(person=person)
    cases.update(note="", updated_at=now)
    cases.exclude(closure_note="").update(closure_note=removed_text)
    CaseNeed.objects.filter(case__person=person).update(description=removed_text, updated_at=now)
    CaseNeed.objects.filter(case__person=person).exclude(handled_note="").update(handled_note=removed_text)
    CaseFollowUp.objects.filter(case__person=person).update(purpose=removed_text, updated_at=now)
    CaseFollowUp.objects.filter(case__person=person).exclude(done_note="").update(done_note=removed_text)
    cases.exclude(pathway_override_reason="").update(pathway_override_reason=removed_text)
    Recommendation.objects.filter(person=person).update(
        reason=removed_text, assessment=removed_text, decision_note="", updated_at=now
    )
    Referral.objects.filter(case__person=person).exclude(outcome_detail="").update(
        outcome_detail="", updated_at=now
    )
    attachments = ReferralAttachment.objects.filter(referral__case__person=person)
    files = [name for name in attachments.values_list("file", flat=True) if name]
    attachments.delete()
    return files
