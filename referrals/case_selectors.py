"""Reads of case management: the needs and plan on a case's page, the case lists, the case
worker's caseload and overdue follow-ups, the head's figures."""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from pandu import roles
from referrals.models import Case, CaseFollowUp, CaseNeed, Referral
from referrals.selectors import cases_for_user, cases_to_take

NEED_OPEN, NEED_REFERRED, NEED_HANDLED = "open", "referred", "handled"


def _unreferred() -> Q:
    return ~Q(Exists(Referral.objects.filter(need=OuterRef("pk"))))


def needs_of(case: Case) -> list[CaseNeed]:
    """The case's needs in the order found, each with ``state`` (open, referred, handled) and
    its ``referral_list``."""
    needs = list(
        case.needs.select_related("handled_by", "created_by").prefetch_related("referrals__service")
    )
    for need in needs:
        need.referral_list = sorted(need.referrals.all(), key=lambda referral: referral.pk)
        if need.handled_at is not None:
            need.state = NEED_HANDLED
        elif need.referral_list:
            need.state = NEED_REFERRED
        else:
            need.state = NEED_OPEN
    return needs


def with_plan(queryset: QuerySet[Case], *, today: datetime.date | None = None) -> QuerySet[Case]:
    """Annotate each case with ``next_follow_up`` (the earliest pending), ``follow_up_overdue``
    and ``open_need_count``."""
    today = today or timezone.localdate()
    pending = Q(follow_ups__done_on__isnull=True)
    open_needs = (
        CaseNeed.objects.filter(_unreferred(), case=OuterRef("pk"), handled_at__isnull=True)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        next_follow_up=Min("follow_ups__due_on", filter=pending),
        follow_up_overdue=Exists(
            CaseFollowUp.objects.filter(case=OuterRef("pk"), done_on__isnull=True, due_on__lt=today)
        ),
        open_need_count=Coalesce(Subquery(open_needs, output_field=IntegerField()), Value(0)),
    )


def follow_ups_overdue(*, case_worker=None, today: datetime.date | None = None) -> QuerySet[CaseFollowUp]:
    """Follow-ups past their date and not done, of open cases (a case worker's, when given),
    the most overdue first."""
    today = today or timezone.localdate()
    queryset = CaseFollowUp.objects.filter(done_on__isnull=True, due_on__lt=today, case__status=Case.Status.OPEN)
    if case_worker is not None:
        queryset = queryset.filter(case__case_worker=case_worker)
    return queryset.select_related("case__person", "referral").order_by("due_on", "pk")


CASE_FILTERS = ("open", "closed", "unassigned", "overdue", "mine")


def case_list(user, *, status: str = "", reason: str = "") -> QuerySet[Case]:
    """The cases this user may open, filtered: open, closed (by a reason), unassigned, with an
    overdue follow-up, or a case worker's own; open ones first, the oldest first."""
    queryset = with_plan(cases_for_user(user)).select_related("person__household__village", "case_worker")
    if status == "open":
        queryset = queryset.filter(status=Case.Status.OPEN)
    elif status == "closed":
        queryset = queryset.filter(status=Case.Status.CLOSED)
        if reason in Case.ClosureReason.values:
            queryset = queryset.filter(closure_reason=reason)
    elif status == "unassigned":
        queryset = queryset.filter(status=Case.Status.OPEN, case_worker__isnull=True)
    elif status == "overdue":
        queryset = queryset.filter(status=Case.Status.OPEN, follow_up_overdue=True)
    elif status == "mine":
        queryset = queryset.filter(case_worker=user)
    return queryset.order_by("-status", "created_at", "pk") if status != "closed" else queryset.order_by("-closed_at", "-pk")


def cases_to_take_list(user, *, limit: int = 50) -> list[Case]:
    """The open cases without a case worker, the oldest first, with the domains of their needs
    (what a case worker chooses by, before the case is theirs to open)."""
    cases = list(
        cases_to_take(user).select_related("person__household__village").prefetch_related("needs")
        .order_by("created_at", "pk")[:limit]
    )
    for case in cases:
        case.domains = sorted({need.get_domain_display() for need in case.needs.all()}, key=str)
    return cases


def caseload_for_home(user, *, today: datetime.date | None = None) -> dict:
    """A case worker's home: their overdue follow-ups, their open cases with the next
    follow-up, and how many open cases wait for a case worker."""
    today = today or timezone.localdate()
    caseload = list(
        with_plan(Case.objects.filter(case_worker=user, status=Case.Status.OPEN), today=today)
        .select_related("person")
        .order_by("next_follow_up", "created_at", "pk")[:50]
    )
    return {
        "overdue_follow_ups": list(follow_ups_overdue(case_worker=user, today=today)[:50]),
        "caseload": caseload,
        "caseload_count": Case.objects.filter(case_worker=user, status=Case.Status.OPEN).count(),
        "to_take": cases_to_take(user).count(),
    }


def case_figures(*, since: datetime.date) -> dict:
    """The head's home: cases opened and closed since a date (closed by reason), and the cases
    still open now, with those without a case worker and those with an overdue follow-up."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    closed = dict(
        Case.objects.filter(status=Case.Status.CLOSED, closed_at__gte=start)
        .order_by()
        .values_list("closure_reason")
        .annotate(n=Count("pk"))
        .values_list("closure_reason", "n")
    )
    still_open = Case.objects.filter(status=Case.Status.OPEN)
    return {
        "since": since,
        "opened": Case.objects.filter(created_at__gte=start).count(),
        "closed": sum(closed.values()),
        "closed_by_reason": [
            {"reason": value, "label": label, "count": closed.get(value, 0)}
            for value, label in Case.ClosureReason.choices
        ],
        "open": still_open.count(),
        "unassigned": still_open.filter(case_worker__isnull=True).count(),
        "overdue": follow_ups_overdue().values("case").distinct().count(),
    }


def home_casework(user) -> dict:
    """What the home pages show of case management, for the roles that see it."""
    found = {}
    if roles.has_role(user, roles.CASE_WORKER):
        found["caseload"] = caseload_for_home(user)
    if roles.has_role(user, roles.HEAD):
        found["case_figures"] = case_figures(since=timezone.localdate().replace(month=1, day=1))
    return found
