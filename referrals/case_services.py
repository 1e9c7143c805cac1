"""Writes of case management, the SLRT way: the case worker's caseload, the needs found in the
assessment (each referred — ``services.case_add_need`` — or handled at the office), the plan of
follow-ups, closure with a reason and reopening. Every step is a line in the case's history
(``CaseEvent``, append-only)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from desks.models import Domain
from referrals.case_records import case_event_add, follow_up_plan
from referrals.models import Case, CaseEvent, CaseFollowUp, CaseNeed
from referrals.services import case_worker_check


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _lock_open(case: Case) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(_("This case is closed. Reopen it first."))
    return case


def open_needs(case: Case):
    """The needs of the case neither referred nor handled at the office."""
    return CaseNeed.objects.filter(case=case, handled_at__isnull=True, referrals__isnull=True)


@transaction.atomic
def case_assign(*, case: Case, case_worker, actor, at: datetime.datetime | None = None) -> Case:
    """The office gives the case to a case worker (or to another one)."""
    at = at or timezone.now()
    case_worker_check(case_worker)
    case = _lock_open(case)
    if case.case_worker_id == case_worker.pk:
        return case
    Case.objects.filter(pk=case.pk).update(case_worker=case_worker, assigned_at=at, updated_at=at)
    case_event_add(case=case, action=CaseEvent.Action.ASSIGNED, actor=actor, note=_name(case_worker), at=at)
    case.refresh_from_db()
    return case


@transaction.atomic
def case_take(*, case: Case, case_worker, at: datetime.datetime | None = None) -> Case:
    """A case worker takes an open case nobody has: the first of two at once wins."""
    at = at or timezone.now()
    case_worker_check(case_worker)
    taken = Case.objects.filter(pk=case.pk, status=Case.Status.OPEN, case_worker__isnull=True).update(
        case_worker=case_worker, assigned_at=at, updated_at=at
    )
    case.refresh_from_db()
    if not taken:
        if case.case_worker_id is not None:
            raise ValidationError(
                _("%(name)s already took this case.") % {"name": _name(case.case_worker)}
            )
        raise ValidationError(_("This case is closed. Reopen it first."))
    case_event_add(case=case, action=CaseEvent.Action.ASSIGNED, actor=case_worker,
                   note=_("Taken from the open cases by %(name)s") % {"name": _name(case_worker)}, at=at)
    return case


@transaction.atomic
def case_need_record(*, case: Case, domain: str, description: str, actor) -> CaseNeed:
    """A complaint or need found later in the assessment; it stays open until it is referred
    or handled."""
    case = _lock_open(case)
    description = description.strip()
    if domain not in Domain.values:
        raise ValidationError(_("Choose the domain of each need."))
    if not description:
        raise ValidationError(_("Say what the citizen needs."))
    need = CaseNeed.objects.create(case=case, domain=domain, description=description[:255], created_by=actor)
    case_event_add(case=case, action=CaseEvent.Action.NEED_RECORDED, actor=actor,
                   note=f"{need.get_domain_display()}: {need.description}")
    return need


@transaction.atomic
def need_handle(*, need: CaseNeed, note: str, actor, at: datetime.datetime | None = None) -> CaseNeed:
    """The office met the need itself (advice given, a form filled in): recorded with what it did."""
    at = at or timezone.now()
    note = note.strip()
    if not note:
        raise ValidationError(_("Say what the office did about this need."))
    _lock_open(need.case)
    need = CaseNeed.objects.select_for_update().get(pk=need.pk)
    if need.handled_at is not None:
        raise ValidationError(
            _("This need was already handled by %(name)s.") % {"name": _name(need.handled_by)}
        )
    if need.referrals.exists():
        raise ValidationError(_("This need is referred already."))
    CaseNeed.objects.filter(pk=need.pk).update(handled_at=at, handled_by=actor, handled_note=note, updated_at=at)
    case_event_add(case=need.case, action=CaseEvent.Action.NEED_HANDLED, actor=actor,
                   note=f"{need.description}: {note}", at=at)
    need.refresh_from_db()
    return need


@transaction.atomic
def follow_up_add(*, case: Case, due_on: datetime.date, purpose: str, actor) -> CaseFollowUp:
    """A step of the plan: check on the citizen by that date."""
    case = _lock_open(case)
    purpose = purpose.strip()
    if not purpose:
        raise ValidationError(_("Say what the follow-up is for."))
    if due_on < timezone.localdate():
        raise ValidationError(_("A follow-up is planned for today or later."))
    return follow_up_plan(case=case, due_on=due_on, purpose=purpose, planned_by=actor)


@transaction.atomic
def follow_up_complete(
    *, follow_up: CaseFollowUp, note: str, actor, done_on: datetime.date | None = None
) -> CaseFollowUp:
    """The follow-up is done: when, by whom, and what was found."""
    done_on = done_on or timezone.localdate()
    note = note.strip()
    if not note:
        raise ValidationError(_("Write what the follow-up found."))
    if done_on > timezone.localdate():
        raise ValidationError(_("A follow-up is done today or earlier, not later."))
    _lock_open(follow_up.case)
    done = CaseFollowUp.objects.filter(pk=follow_up.pk, done_on__isnull=True).update(
        done_on=done_on, done_by=actor, done_note=note, updated_at=timezone.now()
    )
    follow_up.refresh_from_db()
    if not done:
        raise ValidationError(
            _("%(name)s already recorded this follow-up.") % {"name": _name(follow_up.done_by)}
        )
    case_event_add(case=follow_up.case, action=CaseEvent.Action.FOLLOW_UP_DONE, actor=actor,
                   note=f"{follow_up.purpose}: {note}")
    return follow_up


@transaction.atomic
def case_close(*, case: Case, reason: str, note: str, actor, at: datetime.datetime | None = None) -> Case:
    """Close the case with its reason. All needs met and referred out need every need referred or
    handled; a citizen who withdrew or cannot be reached closes it as it stands."""
    at = at or timezone.now()
    note = note.strip()
    if reason not in Case.ClosureReason.values:
        raise ValidationError(_("Choose the reason for closing the case."))
    if not note:
        raise ValidationError(_("Write a closing note."))
    case = _lock_open(case)
    if reason not in Case.CLOSES_WITH_OPEN_NEEDS:
        still_open = list(open_needs(case))
        if still_open:
            raise ValidationError(
                _("Refer or handle every need before closing as “%(reason)s”; still open: %(needs)s.")
                % {
                    "reason": Case.ClosureReason(reason).label,
                    "needs": "; ".join(f"{need.get_domain_display()} — {need.description}" for need in still_open),
                }
            )
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED, closed_at=at, closed_by=actor, closure_reason=reason, closure_note=note,
        updated_at=at,
    )
    case_event_add(case=case, action=CaseEvent.Action.CLOSED, actor=actor,
                   note=f"{Case.ClosureReason(reason).label}: {note}", at=at)
    case.refresh_from_db()
    return case


@transaction.atomic
def case_reopen(*, case: Case, reason: str, actor, at: datetime.datetime | None = None) -> Case:
    """The office reopens a closed case, with the reason; the closing stays in the history."""
    at = at or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Write why the case is reopened."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.is_open:
        raise ValidationError(_("This case is open already."))
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.OPEN, closed_at=None, closed_by=None, closure_reason="", closure_note="", updated_at=at
    )
    case_event_add(case=case, action=CaseEvent.Action.REOPENED, actor=actor, note=reason, at=at)
    case.refresh_from_db()
    return case
