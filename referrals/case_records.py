"""The case's history and its plan of follow-ups: the two records that both the referral state
machine (``referrals.services``: a granted referral plans a follow-up) and the case services
(``referrals.case_services``) write. Neither of those is imported here."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from pandu.workdays import working_days_after
from referrals.models import Case, CaseEvent, CaseFollowUp, Referral


def case_event_add(*, case: Case, action: str, actor, note: str = "", at: datetime.datetime | None = None) -> CaseEvent:
    """One line of the case's history (append-only)."""
    return CaseEvent.objects.create(case=case, action=action, actor=actor, note=note, at=at or timezone.now())


def follow_up_plan(
    *,
    case: Case,
    due_on: datetime.date,
    purpose: str,
    planned_by,
    referral: Referral | None = None,
    at: datetime.datetime | None = None,
) -> CaseFollowUp:
    """A follow-up in the case's plan, and its line in the history."""
    follow_up = CaseFollowUp.objects.create(
        case=case, due_on=due_on, purpose=purpose[:255], planned_by=planned_by, referral=referral
    )
    case_event_add(
        case=case,
        action=CaseEvent.Action.FOLLOW_UP_PLANNED,
        actor=planned_by,
        note=f"{due_on:%d-%m-%Y}: {follow_up.purpose}",
        at=at,
    )
    return follow_up


def aid_follow_up_plan(*, referral: Referral, at: datetime.datetime) -> CaseFollowUp | None:
    """A referral was granted: check, ``FOLLOW_UP_AFTER_GRANT_DAYS`` working days later, that the aid
    reached the citizen. Only for an open case: a closed case was handed over."""
    case = Case.objects.get(pk=referral.case_id)
    if not case.is_open:
        return None
    due_on = working_days_after(timezone.localdate(at), settings.FOLLOW_UP_AFTER_GRANT_DAYS)
    purpose = _("Check that the aid reached the citizen: %(service)s (%(number)s)") % {
        "service": referral.service.name,
        "number": referral.number,
    }
    return follow_up_plan(case=case, due_on=due_on, purpose=purpose, planned_by=None, referral=referral, at=at)
