"""The citizens' status check: a kiosk page in the waiting room and at the village office, no login.

A citizen types today's ticket number or a referral number, and their date of birth; the answer
is where the visit or the referral stands and what to do next, in plain words — never a name,
NIK, address or an officer's free text (notes and outcome details may name people). A wrong
birth date and an unknown number get the same answer, so the page tells nobody whether a number
exists. Each client address may look up ``STATUS_CHECK_LIMIT`` times in
``STATUS_CHECK_WINDOW_SECONDS`` (the office's kiosks, ``STATUS_CHECK_KIOSKS``, more); every
look-up is in the audit log with the number, whether it was found and the address — never the
birth date.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from desks.models import Ticket, TicketStep
from pandu.audit import audit_record
from pandu.http import client_ip
from pandu.identity import office_identity
from pandu.models import AuditEvent
from referrals import services
from referrals.models import Referral

TICKET_NUMBER = re.compile(r"^([A-Z]{1,3})[-/.]?(\d{1,4})$")


class StatusCheckLimitReached(Exception):
    """Too many look-ups from one address in a short time."""

    def __init__(self, minutes: int):
        super().__init__(
            _("Too many checks from this device in a short time. Wait %(minutes)s minutes and try again, "
              "or ask at the front desk.") % {"minutes": minutes}
        )


@dataclass
class ReferralAnswer:
    service: str
    provider: str
    state: str
    said: list[str] = field(default_factory=list)  # where it stands
    next_steps: list[str] = field(default_factory=list)  # what to do


@dataclass
class StatusAnswer:
    heading: str
    said: list[str] = field(default_factory=list)
    referrals: list[ReferralAnswer] = field(default_factory=list)


def _normalise(number: str) -> str:
    return "".join(number.upper().split())


def _day(moment: datetime.datetime | datetime.date) -> str:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment)
    return date_format(moment, "j F Y")


def _place(referral: Referral) -> str:
    provider = referral.provider
    return f"{provider.name}, {provider.address}" if provider.address else provider.name


def _since(referral: Referral) -> datetime.datetime:
    """When the referral reached its state: its last move on the timeline."""
    event = referral.events.order_by("-at", "-pk").first()
    return event.at if event is not None else referral.created_at


def referral_answer(referral: Referral) -> ReferralAnswer:
    """Where one referral stands and what the citizen does next, in plain words."""
    S = Referral.Status
    words = {"service": referral.service.name, "provider": referral.provider.name, "place": _place(referral),
             "date": _day(_since(referral)), "office": office_identity().name}
    documents = ", ".join(referral.required_documents)
    state = referral.get_status_display()
    if referral.outcome:
        state = f"{state} · {referral.get_outcome_display()}"
    answer = ReferralAnswer(service=referral.service.name, provider=referral.provider.name, state=state)
    if referral.status == S.WAITING:
        position = services.waiting_in_order(referral.service).values_list("pk", flat=True)
        order = list(position)
        answer.said.append(
            _("Your referral for %(service)s is on the waiting list since %(date)s: all places of this service "
              "are taken for now.") % words
        )
        if referral.pk in order:
            answer.said.append(_("You are number %(n)s in line.") % {"n": order.index(referral.pk) + 1})
        answer.next_steps.append(
            _("You need not do anything now: it is sent to %(provider)s as soon as a place is free. Check again "
              "later.") % words
        )
    elif referral.status == S.SENT:
        answer.said.append(_("Your referral for %(service)s was sent to %(provider)s on %(date)s.") % words)
        if documents:
            answer.next_steps.append(
                _("Go to %(place)s with the referral letter, your KTP and these documents: %(documents)s.")
                % {**words, "documents": documents}
            )
        else:
            answer.next_steps.append(_("Go to %(place)s with the referral letter and your KTP.") % words)
    elif referral.status == S.RECEIVED:
        answer.said.append(_("%(provider)s received your referral for %(service)s on %(date)s and is checking "
                             "it.") % words)
        answer.next_steps.append(_("Wait for their answer. If they ask you to come, bring the referral letter and "
                                   "your KTP to %(place)s.") % words)
    elif referral.status == S.ACCEPTED:
        answer.said.append(_("Your referral for %(service)s was accepted by %(provider)s on %(date)s.") % words)
        answer.next_steps.append(_("Go to %(place)s with the referral letter and your KTP.") % words)
    elif referral.status == S.RETURNED:
        answer.said.append(_("%(provider)s returned your referral on %(date)s: documents are missing.") % words)
        missing = ", ".join(referral.missing_documents)
        if missing:
            answer.next_steps.append(_("Bring these documents to the front desk of %(office)s: %(documents)s.")
                                     % {**words, "documents": missing})
        else:
            answer.next_steps.append(_("Ask at the front desk of %(office)s which documents are missing.") % words)
    elif referral.status == S.COMPLETED and referral.outcome == Referral.Outcome.GRANTED:
        answer.said.append(_("%(provider)s granted %(service)s on %(date)s.") % words)
        answer.next_steps.append(_("If you have not received it yet, ask %(provider)s, with your KTP.") % words)
    elif referral.status == S.COMPLETED:
        answer.said.append(_("%(provider)s decided on %(date)s not to grant %(service)s.") % words)
        answer.next_steps.append(_("Ask at the front desk why, and what other help is possible.") % words)
    elif referral.status == S.REJECTED:
        answer.said.append(_("%(provider)s declined your referral for %(service)s on %(date)s.") % words)
        answer.next_steps.append(_("Come to the front desk: the officer tells you why and what you can do.")
                                 % words)
    else:  # cancelled
        answer.said.append(_("The office cancelled your referral for %(service)s on %(date)s.") % words)
        answer.next_steps.append(_("Ask at the front desk why.") % words)
    if referral.is_overdue:
        answer.next_steps.append(_("The answer is late (it was due on %(due)s): tell the front desk, they follow "
                                   "it up.") % {"due": _day(referral.due_on)})
    return answer


def _ticket_answer(ticket: Ticket) -> StatusAnswer:
    words = {"number": ticket.number, "desk": ticket.desk.name}
    answer = StatusAnswer(heading=_("Ticket %(number)s, today") % words)
    if ticket.status == Ticket.Status.WAITING:
        step = ticket.current_step
        ahead = TicketStep.objects.filter(
            desk=ticket.desk, status=Ticket.Status.WAITING, ticket__issued_on=ticket.issued_on,
            queued_at__lt=step.queued_at if step else timezone.now(),
        ).count()
        answer.said.append(_("You are waiting for %(desk)s.") % words)
        answer.said.append(
            _("Nobody is before you: you are next.") if ahead == 0
            else ngettext("%(n)s person is before you.", "%(n)s people are before you.", ahead) % {"n": ahead}
        )
    elif ticket.status == Ticket.Status.CALLED:
        answer.said.append(_("Your number is called: go to %(desk)s now.") % words)
    elif ticket.status == Ticket.Status.SERVING:
        answer.said.append(_("You are being served at %(desk)s.") % words)
    elif ticket.status == Ticket.Status.NO_SHOW:
        answer.said.append(_("Your number was called at %(desk)s but nobody came. Ask at the front desk.") % words)
    else:
        answer.said.append(_("Your visit today is finished.") % words)
    referrals = (
        Referral.objects.filter(case__ticket=ticket)
        .select_related("service", "provider")
        .order_by("pk")
    )
    answer.referrals = [referral_answer(referral) for referral in referrals]
    return answer


def status_find(*, number: str, birth_date: datetime.date, today: datetime.date | None = None):
    """The answer for today's ticket or a referral of a person born that day, or None: an
    unknown number and a wrong birth date are the same None. Returns ``(kind, answer)``."""
    number = _normalise(number)
    if match := TICKET_NUMBER.match(number):  # by the desk's prefix and the day's sequence, whatever the format
        ticket = (
            Ticket.objects.filter(origin_desk__ticket_prefix=match.group(1), sequence=int(match.group(2)),
                                  issued_on=today or timezone.localdate(), person__birth_date=birth_date)
            .select_related("desk")
            .first()
        )
        return "ticket", (_ticket_answer(ticket) if ticket is not None else None)
    referral = (
        Referral.objects.filter(number=number, case__person__birth_date=birth_date)
        .select_related("service", "provider")
        .first()
    )
    if referral is None:
        return "referral", None
    return "referral", StatusAnswer(heading=_("Referral %(number)s") % {"number": referral.number},
                                    referrals=[referral_answer(referral)])


def _limit_for(address: str | None) -> int:
    if address is not None:
        ip = ipaddress.ip_address(address)
        for kiosk in settings.STATUS_CHECK_KIOSKS:
            if ip in ipaddress.ip_network(kiosk, strict=False):
                return settings.STATUS_CHECK_KIOSK_LIMIT
    return settings.STATUS_CHECK_LIMIT


def status_check_recorded(*, number: str, birth_date: datetime.date, request) -> StatusAnswer | None:
    """A citizen's look-up: refused beyond the address's allowance, then answered and logged
    (the number, found or not, the address; never the birth date)."""
    address = client_ip(request)
    window = settings.STATUS_CHECK_WINDOW_SECONDS
    since = timezone.now() - datetime.timedelta(seconds=window)
    recent = AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHECK, ip_address=address, at__gte=since)
    if recent.count() >= _limit_for(address):
        raise StatusCheckLimitReached(minutes=max(1, round(window / 60)))
    kind, answer = status_find(number=number, birth_date=birth_date)
    typed = _normalise(number)[:40]
    audit_record(
        user=getattr(request, "user", None),
        action=AuditEvent.Action.STATUS_CHECK,
        summary=f"status check of {kind} {typed}: {'found' if answer else 'not found'}",
        detail={"number": typed, "kind": kind, "found": answer is not None},
        request=request,
    )
    return answer
