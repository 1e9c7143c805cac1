"""Reads of the referrals app and the access rules: who sees which referral, case and person."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.aggregates import BoolOr
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clients import hooks
from clients.models import Region
from desks.models import Provider, Service, Ticket
from desks.selectors import desks_for_user, provider_for_user
from pandu import roles
from referrals import services
from referrals.models import Case as CaseModel
from referrals.models import (
    OutcomeRead,
    Recommendation,
    Referral,
    ReferralAttachment,
    ReferralEvent,
    ReferralMonth,
    ReferralOpenDue,
    normalise_return_code,
)

# Roles that follow every referral of the office.
ALL_REFERRALS_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER, roles.HEAD, roles.ADMIN)
# Roles that may open a referral page at all (desk officers: only their provider's).
REFERRAL_ROLES = (*ALL_REFERRALS_ROLES, roles.DESK_OFFICER)
# Roles that may open a referral's page, letter and files (case workers: their caseload's).
REFERRAL_READ_ROLES = (*REFERRAL_ROLES, roles.CASE_WORKER)
# Roles that open case pages (case workers: only their caseload's).
CASE_ROLES = (*ALL_REFERRALS_ROLES, roles.CASE_WORKER)
CASE_OPEN_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER)
# Roles that manage cases: assess needs, handle them, plan and record follow-ups, close and
# reopen (the front desk and the data team any case, a case worker their caseload's).
CASE_MANAGE_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER, roles.CASE_WORKER)
RECOMMENDATION_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER, roles.HEAD, roles.ADMIN)
RECOMMENDATION_REQUEST_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER)
# Who types in the agencies' reply slips (Balasan masuk).
REPLY_SLIP_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER)
# Roles that may open a recommendation and its letter (case workers: those their caseload's cases rest on).
RECOMMENDATION_READ_ROLES = (*RECOMMENDATION_ROLES, roles.CASE_WORKER)

_RELATED = (
    "service",
    "provider",
    "case__person__household__village__parent",
    "created_by",
    "accepted_by",
)


def officer_provider(user, *, on: datetime.date | None = None):
    """The provider of a desk officer on that date (None for other roles)."""
    if not roles.has_role(user, roles.DESK_OFFICER):
        return None
    return provider_for_user(user, on=on)


def quota_services_for_user(user) -> QuerySet[Service]:
    """The services with a quota whose waiting lists this user may see: all of them for the
    office-wide roles, the services of today's provider for a desk officer, none for an officer
    with no assignment today (a rotation ended)."""
    services = Service.objects.filter(quota__isnull=False).select_related("provider").order_by("provider__name", "name")
    if roles.has_role(user, *ALL_REFERRALS_ROLES):
        return services
    provider = officer_provider(user)
    return services.filter(provider=provider) if provider is not None else services.none()


def referrals_for_user(user, *, on: datetime.date | None = None) -> QuerySet[Referral]:
    if roles.has_role(user, *ALL_REFERRALS_ROLES):
        return Referral.objects.all()
    mine = Q(pk__in=[])
    provider = officer_provider(user, on=on)
    if provider is not None:
        mine |= Q(provider=provider)
    if roles.has_role(user, roles.CASE_WORKER):
        mine |= Q(case__in=CaseModel.objects.filter(caseload_q(user)))
    return Referral.objects.filter(mine)


def get_referral_for_user(user, pk) -> Referral:
    """The referral, or 404 for anyone who may not see it (an officer of another provider)."""
    return get_object_or_404(referrals_for_user(user).select_related(*_RELATED), pk=pk)


def referral_by_return_code(user, code: str) -> Referral | None:
    """The referral whose reply slip carries this code (typed or scanned, any case, with or
    without the hyphen), among those the user may see; None when there is none."""
    code = normalise_return_code(code)
    if not code:
        return None
    return referrals_for_user(user).select_related(*_RELATED).filter(return_code=code).first()


def reply_slips_recorded_by(user, *, limit: int = 10) -> list[Referral]:
    """The referrals this officer last recorded a reply slip for, newest first (the list under
    the Balasan masuk form), each with ``slip_at``."""
    return list(
        Referral.objects.filter(events__channel=ReferralEvent.Channel.REPLY_SLIP, events__actor=user)
        .annotate(slip_at=Max("events__at"))
        .select_related("service", "provider", "case__person")
        .order_by("-slip_at", "-pk")[:limit]
    )


def with_overdue(
    queryset: QuerySet[Referral], *, today: datetime.date | None = None
) -> QuerySet[Referral]:
    today = today or timezone.localdate()
    return queryset.annotate(
        overdue=Case(
            When(status__in=Referral.OPEN_STATUSES, due_on__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_open=Case(
            When(status__in=(*Referral.OPEN_STATUSES, Referral.Status.WAITING), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def referral_list(
    user, *, status: str = "", service=None, kecamatan=None, provider=None, query: str = ""
):
    """The inbox (an officer's provider) or the office's list: overdue first, then open ones by due date."""
    queryset = with_overdue(referrals_for_user(user)).select_related(*_RELATED)
    if status == "overdue":
        queryset = queryset.filter(overdue=True)
    elif status == "open":
        queryset = queryset.filter(status__in=(*Referral.OPEN_STATUSES, Referral.Status.WAITING))
    elif status:
        queryset = queryset.filter(status=status)
    if service is not None:
        queryset = queryset.filter(service=service)
    if provider is not None:
        queryset = queryset.filter(provider=provider)
    if kecamatan is not None:
        queryset = queryset.filter(kecamatan=kecamatan)
    if query:
        queryset = queryset.filter(
            Q(number__icontains=query) | Q(case__person__full_name__icontains=query)
        )
    return queryset.order_by("-overdue", "-is_open", "due_on", "-created_at", "-pk")


def waiting_position(referral: Referral) -> int | None:
    """1 for the next one to move up; None when the referral is not waiting."""
    if referral.status != Referral.Status.WAITING:
        return None
    order = list(services.waiting_in_order(referral.service).values_list("pk", flat=True))
    return order.index(referral.pk) + 1 if referral.pk in order else None


def waiting_list(service) -> list[Referral]:
    """The waiting list in the order places are offered, each with ``why``: its welfare class
    (the household's latest validated survey) and since when it waits."""
    rows = list(services.waiting_in_order(service).select_related("case__person"))
    for row in rows:
        row.welfare_label = hooks.welfare_rank_label(row.welfare_rank)
    return rows


def quota_summary(service) -> dict | None:
    if service.quota is None:
        return None
    start = services.period_start(service)
    return {
        "quota": service.quota,
        "taken": services.places_taken(service),
        "waiting": Referral.objects.filter(service=service, status=Referral.Status.WAITING).count(),
        "period_year": start.year if start else None,
    }


def may_release_place(user, referral: Referral) -> bool:
    """The office or the provider's officer may free a place its beneficiary no longer uses."""
    return (
        referral.service.quota is not None
        and services.holds_place(referral)
        and (may_act_for_front_desk(user) or may_act_for_provider(user, referral))
    )


def may_act_for_provider(user, referral: Referral) -> bool:
    """The provider's officer that day; the front desk for a provider without a desk in the office."""
    provider = officer_provider(user)
    if provider is not None and provider.pk == referral.provider_id:
        return True
    return roles.has_role(user, roles.FRONT_DESK) and not referral.provider.has_office_desk


def may_act_for_front_desk(user) -> bool:
    return roles.has_role(user, roles.FRONT_DESK, roles.DATA_OFFICER)


def allowed_actions(user, referral: Referral) -> list[str]:
    """The transitions this user may take on this referral now (buttons and the POST check)."""
    actions = []
    for name, move in services.TRANSITIONS.items():
        if referral.status not in move.sources:
            continue
        if (move.side == services.PROVIDER and may_act_for_provider(user, referral)) or (
            move.side == services.FRONT and may_act_for_front_desk(user)
        ):
            actions.append(name)
    return actions


def may_edit_documents(user, referral: Referral) -> bool:
    if referral.status in Referral.CLOSED_STATUSES:
        return False
    return may_act_for_front_desk(user) or may_act_for_provider(user, referral)


def referrals_for_person(person, user) -> list[Referral]:
    """A person's referrals that this user may see, newest first, with state and outcome."""
    return list(
        with_news(with_overdue(referrals_for_user(user).filter(case__person=person)), user)
        .select_related("service", "provider", "case")
        .order_by("-created_at", "-pk")
    )


def _live_referrals(provider):
    """The provider's referrals that still give its officers access to the person: waiting or
    not yet answered, or closed less than ``REFERRAL_ACCESS_GRACE_DAYS`` ago."""
    since = timezone.now() - datetime.timedelta(days=settings.REFERRAL_ACCESS_GRACE_DAYS)
    return Referral.objects.filter(provider=provider).filter(
        Q(status__in=(*Referral.OPEN_STATUSES, Referral.Status.WAITING)) | Q(closed_at__gte=since)
    )


def person_filter_for_officer(user):
    """Persons a desk officer may open: those with a live referral to the officer's provider
    of today (open, or closed within the grace period)."""
    provider = officer_provider(user)
    if provider is None:
        return None
    return Q(Exists(_live_referrals(provider).filter(case__person=OuterRef("pk"))))


def person_disclosures_for_officer(user, person) -> set[str]:
    """What the officer's services need beyond the minimal card (clients.hooks)."""
    provider = officer_provider(user)
    if provider is None:
        return set()
    needs = _live_referrals(provider).filter(case__person=person).aggregate(
        nik=BoolOr("service__needs_full_nik"), health=BoolOr("service__needs_health_data")
    )
    return {name for name, key in ((hooks.FULL_NIK, "nik"), (hooks.HEALTH, "health")) if needs[key]}


NEWS_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER)


def _news_for(user) -> Q:
    """Outcomes, rejections and returns of the last ``OUTCOME_NEWS_DAYS`` this user has not
    opened since, whoever made the referral; nothing for roles that do not follow them up."""
    if not roles.has_role(user, *NEWS_ROLES):
        return Q(pk__in=[])
    since = timezone.now() - datetime.timedelta(days=settings.OUTCOME_NEWS_DAYS)
    read = OutcomeRead.objects.filter(referral=OuterRef("pk"), user=user, read_at__gte=OuterRef("news_at"))
    return Q(news_at__gte=since) & ~Exists(read)


def with_news(queryset: QuerySet[Referral], user) -> QuerySet[Referral]:
    """Annotate ``is_news``: the referral's outcome is news to this user (a badge in the lists)."""
    return queryset.annotate(is_news=Case(When(_news_for(user), then=Value(True)), default=Value(False)))


def unread_outcomes(user) -> QuerySet[Referral]:
    """The office's news for this user, newest first."""
    return (
        Referral.objects.filter(_news_for(user))
        .select_related("service", "provider", "case__person")
        .order_by("-news_at", "-pk")
    )


def unread_outcome_count(user) -> int:
    return unread_outcomes(user).count()


def caseload_q(user) -> Q:
    """A case worker's caseload, over cases: the cases assigned to them that are open, or
    closed less than ``REFERRAL_ACCESS_GRACE_DAYS`` ago (then the office reopens them)."""
    since = timezone.now() - datetime.timedelta(days=settings.REFERRAL_ACCESS_GRACE_DAYS)
    return Q(case_worker=user) & (Q(status=CaseModel.Status.OPEN) | Q(closed_at__gte=since))


def cases_for_user(user) -> QuerySet[CaseModel]:
    """The cases whose page this user may open: every case for the office-wide roles, the
    caseload for a case worker."""
    if roles.has_role(user, *ALL_REFERRALS_ROLES):
        return CaseModel.objects.all()
    if roles.has_role(user, roles.CASE_WORKER):
        return CaseModel.objects.filter(caseload_q(user))
    return CaseModel.objects.none()


def cases_to_manage(user) -> QuerySet[CaseModel]:
    """The cases this user may assess, plan, close and reopen: any case for the front desk and
    the data team, the caseload for a case worker."""
    if roles.has_role(user, roles.FRONT_DESK, roles.DATA_OFFICER):
        return CaseModel.objects.all()
    if roles.has_role(user, roles.CASE_WORKER):
        return CaseModel.objects.filter(caseload_q(user))
    return CaseModel.objects.none()


def get_case_to_manage(user, pk) -> CaseModel:
    return get_object_or_404(cases_to_manage(user).select_related("person", "case_worker"), pk=pk)


def cases_to_take(user) -> QuerySet[CaseModel]:
    """Open cases nobody has taken yet, for a case worker to take."""
    if not roles.has_role(user, roles.CASE_WORKER):
        return CaseModel.objects.none()
    return CaseModel.objects.filter(status=CaseModel.Status.OPEN, case_worker__isnull=True)


def person_filter_for_case_worker(user):
    """Persons a case worker may open: those of their caseload."""
    if not roles.has_role(user, roles.CASE_WORKER):
        return None
    return Q(Exists(CaseModel.objects.filter(caseload_q(user), person=OuterRef("pk"))))


def person_disclosures_for_case_worker(user, person) -> set[str]:
    """A case worker assesses the whole person (health, disability, PMKS) and files for them
    (the full NIK): both, for the persons of their caseload."""
    if not roles.has_role(user, roles.CASE_WORKER):
        return set()
    if CaseModel.objects.filter(caseload_q(user), person=person).exists():
        return {hooks.FULL_NIK, hooks.HEALTH}
    return set()


def cases_for_new_needs(user) -> QuerySet[CaseModel]:
    """Cases this user may add a need to: any case for the front desk and the data team; the
    open cases of their caseload for a case worker; for a desk officer, only the case of the
    visit being served at their desk now."""
    if roles.has_role(user, *CASE_OPEN_ROLES):
        return CaseModel.objects.all()
    if roles.has_role(user, roles.CASE_WORKER):
        return CaseModel.objects.filter(caseload_q(user), status=CaseModel.Status.OPEN)
    if roles.has_role(user, roles.DESK_OFFICER):
        return CaseModel.objects.filter(
            ticket__desk__in=desks_for_user(user),
            ticket__status__in=(Ticket.Status.CALLED, Ticket.Status.SERVING),
            ticket__issued_on=timezone.localdate(),
        )
    return CaseModel.objects.none()


def get_case_for_new_need(user, pk) -> CaseModel:
    return get_object_or_404(cases_for_new_needs(user).select_related("person", "ticket"), pk=pk)


def serving_case(user, person, ticket_pk) -> CaseModel | None:
    """The case of the visit ``ticket_pk`` of this person, if this user may add needs to it."""
    if ticket_pk is None:
        return None
    return cases_for_new_needs(user).filter(ticket_id=ticket_pk, person=person).order_by("-pk").first()


def get_case_for_user(user, pk) -> CaseModel:
    return get_object_or_404(
        cases_for_user(user).select_related(
            "person__household__village__parent",
            "pathway_decided_by",
            "created_by",
            "recommendation",
            "ticket",
            "case_worker",
            "closed_by",
        ),
        pk=pk,
    )


def recommendations_for_user(user) -> QuerySet[Recommendation]:
    if roles.has_role(user, *RECOMMENDATION_ROLES):
        return Recommendation.objects.all()
    if roles.has_role(user, roles.CASE_WORKER):
        return Recommendation.objects.filter(cases__in=CaseModel.objects.filter(caseload_q(user))).distinct()
    return Recommendation.objects.none()


def get_recommendation_for_user(user, pk) -> Recommendation:
    return get_object_or_404(
        recommendations_for_user(user).select_related(
            "person__household__village__parent", "requested_by", "decided_by"
        ),
        pk=pk,
    )


def referral_counts_for_home(user) -> dict:
    """Counts for the role home pages: what is waiting for this user. By state from the exact
    counters (pandu/counters.py); overdue is the open ones minus those not yet due, from the
    open referrals per provider and due date."""
    if roles.has_role(user, *ALL_REFERRALS_ROLES):
        mine = Q()
    else:
        provider = officer_provider(user)
        mine = Q(provider=provider) if provider is not None else Q(pk__in=[])
    by_status = dict(
        ReferralMonth.objects.filter(mine).values_list("status").annotate(n=Sum("referrals")).values_list("status", "n")
    )
    opened = sum(by_status.get(status, 0) for status in Referral.OPEN_STATUSES)
    not_yet_due = ReferralOpenDue.objects.filter(
        mine, Q(due_on__gte=timezone.localdate()) | Q(due_on__isnull=True)
    ).aggregate(n=Sum("referrals"))["n"] or 0
    return {
        "open": opened,
        "new": by_status.get(Referral.Status.SENT, 0),
        "overdue": opened - not_yet_due,
        "waiting": by_status.get(Referral.Status.WAITING, 0),
        "unread": unread_outcome_count(user),
        "recommendations_to_decide": Recommendation.objects.filter(
            status=Recommendation.Status.REQUESTED
        ).count()
        if roles.has_role(user, roles.HEAD)
        else 0,
    }


def open_referrals_for_person_at(person, provider) -> list[Referral]:
    """What a desk can resolve in this visit: the person's open (and waiting) referrals to its provider."""
    return list(
        with_overdue(
            Referral.objects.filter(
                case__person=person,
                provider=provider,
                status__in=(*Referral.OPEN_STATUSES, Referral.Status.WAITING),
            )
        )
        .select_related("service", "provider", "case")
        .order_by("due_on", "pk")
    )


# --- Dashboard figures (the head's dashboard composes these) ---------------------------------


_FIGURES = {
    "total": "sum(n)",
    "waiting": "sum(n) FILTER (WHERE status = 'waiting')",
    "pending": "sum(n) FILTER (WHERE status IN ('sent', 'received'))",
    "accepted": "sum(n) FILTER (WHERE status = 'accepted')",
    "completed": "sum(n) FILTER (WHERE status = 'completed')",
    "granted": "sum(n) FILTER (WHERE granted)",
    "rejected": "sum(n) FILTER (WHERE status = 'rejected')",
    "returned": "sum(n) FILTER (WHERE status = 'returned')",
    "cancelled": "sum(n) FILTER (WHERE status = 'cancelled')",
    "within_sla": "sum(n) FILTER (WHERE within_sla)",
    "open": "sum(n) FILTER (WHERE status IN ('sent', 'received', 'accepted', 'returned'))",
}


def referral_filter_sql(*, kecamatan=None, provider=None, alias: str = "") -> tuple[str, list]:
    """The dashboard's filters of referrals as SQL ("AND …" conditions) and their parameters: the
    kecamatan the person lived in when referred, the provider."""
    column = f"{alias}." if alias else ""
    where, params = "", []
    if kecamatan is not None:
        where += f" AND {column}kecamatan_id = %s"
        params.append(kecamatan.pk)
    if provider is not None:
        where += f" AND {column}provider_id = %s"
        params.append(provider.pk)
    return where, params


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def months_and_days(date_from, date_to, *, whole_months: bool = True):
    """The period as the whole months a counter adds up, ``[first_month, after_months)``, and the
    spans of days around them (``[start, end)``, local midnights) counted from the referrals. No
    whole month (or ``whole_months`` false, for a filter the counter does not hold): every day
    from the referrals."""
    start, end = _local_midnight(date_from), _local_midnight(date_to + datetime.timedelta(days=1))
    first_month = date_from if date_from.day == 1 else _next_month(date_from)
    after_months = (date_to + datetime.timedelta(days=1)).replace(day=1)
    if not whole_months or first_month >= after_months:
        month = date_from.replace(day=1)
        return month, month, [(start, end)]
    return first_month, after_months, [(start, _local_midnight(first_month)), (_local_midnight(after_months), end)]


def in_spans(select: str, spans, where: str, params: list, column: str = "created_at") -> tuple[str, list]:
    """``select`` (a SELECT … FROM …) of the rows made (or ``column``: closed) in any of the spans
    and matching ``where`` ("AND …" with ``params``), as SQL and its parameters: one range of an
    index per span, UNION ALL (an OR of the ranges reads the whole index)."""
    sql = " UNION ALL ".join(f"{select} WHERE {column} >= %s AND {column} < %s{where}" for _ in spans)
    return sql, [value for span in spans for value in (*span, *params)]


def _day_cells(cursor, *, counter: str, keys: tuple[str, str], row_keys: tuple[str, str], counted: str,
               date_from, date_to, kecamatan=None, provider=None) -> list[tuple]:
    """``(key, key, days, referrals)`` of the referrals made in the period that ``counted`` selects:
    whole months from the day counter ``counter`` (ReferralCompletedDays, ReferralAnswerDays), the
    days around them from the referrals' covering indexes. The counters hold no kecamatan: with
    one, every day comes from the referrals."""
    first_month, after_months, spans = months_and_days(date_from, date_to, whole_months=kecamatan is None)
    counter_where, counter_params = referral_filter_sql(provider=provider)
    where, params = referral_filter_sql(kecamatan=kecamatan, provider=provider)
    days, day_params = in_spans(
        f"SELECT {row_keys[0]}, {row_keys[1]}, days_to_close, 1 FROM referrals_referral", spans,
        f" AND {counted} AND days_to_close IS NOT NULL{where}", params)
    cursor.execute(
        f"SELECT {keys[0]}, {keys[1]}, days, sum(n)::integer FROM ("
        f" SELECT {keys[0]}, {keys[1]}, days, referrals AS n FROM {counter}"
        f" WHERE month >= %s AND month < %s AND referrals <> 0{counter_where}"
        f" UNION ALL {days}) cells GROUP BY 1, 2, 3",
        [first_month, after_months, *counter_params, *day_params],
    )
    return cursor.fetchall()


def median_of_days(histogram: dict[int, int]) -> float | None:
    """The median of whole days given as ``{days: referrals}`` (as PostgreSQL's percentile_cont(0.5):
    the middle one, or halfway between the two middle ones); None when there are none."""
    total = sum(histogram.values())
    if not total:
        return None
    low, high = (total - 1) // 2, total // 2  # positions of the middle one(s), from 0
    seen, below = 0, None
    for days in sorted(histogram):
        seen += histogram[days]
        if below is None and seen > low:
            below = days
        if seen > high:
            return (below + days) / 2
    raise AssertionError("unreachable: the positions are below the total")


def _with_sla(row: dict, median_days, not_yet_due: int) -> dict:
    row["median_days"] = median_days
    row["overdue"] = row["open"] - not_yet_due
    row["sla_pct"] = round(100 * row["within_sla"] / row["completed"]) if row["completed"] else None
    return row


def _referral_cells_sql(*, kecamatan, provider, first_month, after_months, spans) -> tuple[str, list]:
    """The figures per provider, service and month, and per kecamatan, as one statement and its
    parameters. Each table adds up the smallest counters that hold its filter: without a
    kecamatan, the counters without it (per provider, service and month; per day for the days
    around the whole months); without a filter, those of the kecamatan alone for the table per
    kecamatan. What no counter holds (a kecamatan filter; the table per kecamatan for one
    provider) comes from the full ``referrals_referralmonth`` and, for the days, from the
    referrals (``referral_made_idx``), grouped into cells once."""
    state = "status, granted, within_sla"
    where, params = referral_filter_sql(kecamatan=kecamatan, provider=provider)
    counted = kecamatan is None  # the day counters hold a provider, not a kecamatan
    kecamatan_counted = kecamatan is None and provider is None
    days = [(timezone.localtime(start).date(), timezone.localtime(end).date()) for start, end in spans]
    ctes, values = [], []
    if not (counted and kecamatan_counted):
        rows, row_params = in_spans("SELECT provider_id, service_id, kecamatan_id, created_at, status, outcome,"
                                    " closed_at, due_on FROM referrals_referral", spans, where, params)
        ctes.append(
            "edge AS MATERIALIZED ("
            " SELECT provider_id, service_id, kecamatan_id, pandu_local_month(created_at) AS month, status,"
            " pandu_referral_granted(status, outcome) AS granted,"
            " pandu_referral_within_sla(status, closed_at, due_on) AS within_sla, count(*)::integer AS n"
            f" FROM ({rows}) made GROUP BY 1, 2, 3, 4, 5, 6, 7)")
        values += row_params

    def from_days(select: str, table: str) -> str:
        sql, day_params = in_spans(f"SELECT {select}, referrals FROM {table}", days,
                                   f" AND referrals <> 0{where}", params, column="day")
        values.extend(day_params)
        return sql

    values += [first_month, after_months, *params]
    service_days = (from_days(f"provider_id, service_id, date_trunc('month', day)::date, {state}",
                              "referrals_referralserviceday") if counted
                    else f"SELECT provider_id, service_id, month, {state}, n FROM edge")
    ctes.append(f"by_service AS (SELECT provider_id, service_id, month, {state}, referrals AS n"
                f" FROM {'referrals_referralservicemonth' if counted else 'referrals_referralmonth'}"
                f" WHERE month >= %s AND month < %s AND referrals <> 0{where} UNION ALL {service_days})")
    values += [first_month, after_months, *params]
    kecamatan_days = (from_days(f"kecamatan_id, {state}", "referrals_referralkecamatanday") if kecamatan_counted
                      else f"SELECT kecamatan_id, {state}, n FROM edge")
    ctes.append(f"by_kecamatan AS (SELECT kecamatan_id, {state}, referrals AS n"
                f" FROM {'referrals_referralkecamatanmonth' if kecamatan_counted else 'referrals_referralmonth'}"
                f" WHERE month >= %s AND month < %s AND referrals <> 0{where} UNION ALL {kecamatan_days})")
    figures = ", ".join(f"coalesce({sql}, 0) AS {name}" for name, sql in _FIGURES.items())
    sql = (
        f"WITH {', '.join(ctes)}"
        " SELECT GROUPING(provider_id, service_id, month), provider_id, service_id, to_char(month, 'YYYY-MM'),"
        f" NULL::bigint, {figures} FROM by_service"
        " GROUP BY GROUPING SETS ((provider_id), (service_id), (month)) HAVING sum(n) <> 0"
        f" UNION ALL SELECT 8, NULL, NULL, NULL, kecamatan_id, {figures} FROM by_kecamatan"
        " GROUP BY kecamatan_id HAVING sum(n) <> 0"
    )
    return sql, values


def dashboard_referrals(*, date_from, date_to, kecamatan=None, provider=None) -> dict:
    """Referrals made in the period: per provider and per service (total, by state, completed
    within SLA, median days to completion, overdue now), per month and per kecamatan, and the
    quota services' places and waiting lists.

    Whole months of the period are added up from the exact counters (referrals_referralmonth and
    its parts, pandu/counters.py; :func:`_referral_cells_sql`); the days before the first whole
    month and after the last are counted from the referrals themselves, cell by cell the same
    way. A referral counts in the
    kecamatan its person lived in when it was made (Referral.kecamatan). Median whole days to
    completion add up the day counter (ReferralCompletedDays) the same way; "overdue now" is the
    open ones minus those not yet due, from a partial covering index of the open referrals.
    """

    start, end = _local_midnight(date_from), _local_midnight(date_to + datetime.timedelta(days=1))
    first_month, after_months, spans = months_and_days(date_from, date_to)
    where, params = referral_filter_sql(kecamatan=kecamatan, provider=provider)
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        # The scans read covering indexes of a part of the referrals: starting parallel workers costs more.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(*_referral_cells_sql(kecamatan=kecamatan, provider=provider, first_month=first_month,
                                            after_months=after_months, spans=spans))
        grouped = cursor.fetchall()
        # Median days to completion per provider and per service: completed referrals per whole
        # day, from the day counter and the referrals around its months.
        histograms: dict[tuple[int, int], dict[int, int]] = {}
        for provider_id, service_id, days_taken, n in _day_cells(
                cursor, counter="referrals_referralcompleteddays", keys=("provider_id", "service_id"),
                row_keys=("provider_id", "service_id"), counted="status = 'completed'", date_from=date_from,
                date_to=date_to, kecamatan=kecamatan, provider=provider):
            for key in ((1, provider_id), (2, service_id)):
                histogram = histograms.setdefault(key, {})
                histogram[days_taken] = histogram.get(days_taken, 0) + n
        medians = {key: median_of_days(histogram) for key, histogram in histograms.items()}
        # "Not yet due" per provider and per service, from the open referrals due from today on (and
        # the few without a due date): two ranges of referral_open_due_idx, read from the index alone.
        open_ = ("SELECT provider_id, service_id FROM referrals_referral"
                 f" WHERE status IN ('sent', 'received', 'accepted', 'returned') AND created_at >= %s AND created_at < %s{where}")
        cursor.execute(
            f"SELECT GROUPING(provider_id, service_id), provider_id, service_id, count(*) FROM ({open_} AND due_on >= %s"
            f" UNION ALL {open_} AND due_on IS NULL) open_referrals GROUP BY GROUPING SETS ((provider_id), (service_id))",
            [start, end, *params, today, start, end, *params],
        )
        not_due = {(row[0], row[1] if row[0] == 1 else row[2]): row[3] for row in cursor.fetchall()}

    keys = [*_FIGURES, "median_days", "overdue"]
    per_provider, per_service, per_month, per_kecamatan = [], [], [], []
    names = dict(Provider.objects.values_list("pk", "name"))
    services_by_pk = {service.pk: service for service in Service.objects.select_related("provider")}
    kecamatan_by_pk = {}
    for grouping, provider_id, service_id, month, kecamatan_id, *values in grouped:
        row = dict(zip(_FIGURES, values, strict=True))
        if grouping == 0b011:  # by provider (GROUPING's bits: the columns *not* grouped on)
            row |= {"provider_id": provider_id, "name": names.get(provider_id, "")}
            per_provider.append(_with_sla(row, medians.get((1, provider_id)), not_due.get((1, provider_id), 0)))
        elif grouping == 0b101:
            service = services_by_pk.get(service_id)
            row |= {"service_id": service_id, "name": service.name if service else "",
                    "provider": service.provider.name if service else ""}
            per_service.append(_with_sla(row, medians.get((2, service_id)), not_due.get((2, service_id), 0)))
        elif grouping == 0b110:
            per_month.append({"month": month, "count": row["total"]})
        elif kecamatan_id is not None:
            kecamatan_by_pk[kecamatan_id] = row["total"]

    for region in Region.objects.filter(pk__in=kecamatan_by_pk).order_by("code"):
        per_kecamatan.append({"code": region.code, "name": region.name.title(), "count": kecamatan_by_pk[region.pk]})
    per_provider.sort(key=lambda row: (-row["total"], row["name"]))
    per_service.sort(key=lambda row: (-row["total"], row["provider"], row["name"]))
    per_month.sort(key=lambda row: row["month"])
    quotas = [
        {"service": service, **quota_summary(service)}
        for service in Service.objects.filter(quota__isnull=False).select_related("provider")
        if provider is None or service.provider_id == provider.pk
    ]
    totals = {key: sum(row[key] or 0 for row in per_provider) for key in keys if key != "median_days"}
    return {"per_provider": per_provider, "per_service": per_service, "per_month": per_month,
            "per_kecamatan": per_kecamatan, "quotas": quotas, "totals": totals}


# The channels an answer can arrive by, in the dashboard's order (Pandu's own moves never answer).
ANSWER_CHANNELS = (
    ReferralEvent.Channel.APP,
    ReferralEvent.Channel.OFFICE,
    ReferralEvent.Channel.API,
    ReferralEvent.Channel.REPLY_SLIP,
)


def dashboard_outcome_channels(*, date_from, date_to, kecamatan=None, provider=None) -> dict:
    """How the answers to the period's referrals arrived, per provider: for the referrals made in
    the period and answered (completed or rejected), the channel of the event that closed each
    (in the app by the provider's officer, entered by the office, from the agency's system, from
    a reply slip; kept on the referral as ``answer_channel`` when it closes), how many, and the
    median whole days from sent to that answer. Whole months from the day counter
    (ReferralAnswerDays), the days around them from the partial covering index
    ``referral_answered_idx``.

    Returns ``{"rows": [{"provider_id", "name", "cells": [{"channel", "label", "count",
    "median_days"}, …], "total"}], "totals": [cell per channel]}``."""
    with connection.cursor() as cursor:
        found = _day_cells(cursor, counter="referrals_referralanswerdays", keys=("provider_id", "channel"),
                           row_keys=("provider_id", "answer_channel"),
                           counted="status IN ('completed', 'rejected') AND answer_channel <> ''",
                           date_from=date_from, date_to=date_to, kecamatan=kecamatan, provider=provider)
    histograms: dict[tuple[int | None, str], dict[int, int]] = {}
    for provider_id, channel, days_taken, n in found:
        for key in ((provider_id, channel), (None, channel)):
            histogram = histograms.setdefault(key, {})
            histogram[days_taken] = histogram.get(days_taken, 0) + n
    per_provider: dict[int, dict] = {}
    overall: dict[str, tuple[int, float | None]] = {}
    for (provider_id, channel), histogram in histograms.items():
        cell = (sum(histogram.values()), median_of_days(histogram))
        if provider_id is None:
            overall[channel] = cell
        else:
            per_provider.setdefault(provider_id, {})[channel] = cell

    def cells(by_channel: dict) -> list[dict]:
        return [
            {"channel": channel.value, "label": channel.label, "count": by_channel.get(channel.value, (0, None))[0],
             "median_days": by_channel.get(channel.value, (0, None))[1]}
            for channel in ANSWER_CHANNELS
        ]

    names = dict(Provider.objects.filter(pk__in=per_provider).values_list("pk", "name"))
    rows = [
        {"provider_id": pk, "name": names.get(pk, ""), "cells": cells(by_channel),
         "total": sum(count for count, _median in by_channel.values())}
        for pk, by_channel in per_provider.items()
    ]
    rows.sort(key=lambda row: (-row["total"], row["name"]))
    return {"rows": rows, "totals": cells(overall), "channels": [channel.label for channel in ANSWER_CHANNELS]}


def attachments_past_retention(*, closed_before: datetime.datetime) -> QuerySet[ReferralAttachment]:
    """Attachments still stored whose case is closed: every referral of the case has ended
    (completed, rejected or cancelled), the last of them before ``closed_before``."""
    unfinished = Referral.objects.filter(case=OuterRef("referral__case")).filter(
        ~Q(status__in=Referral.CLOSED_STATUSES)
        | Q(closed_at__isnull=True)
        | Q(closed_at__gte=closed_before)
    )
    return (
        ReferralAttachment.objects.filter(removed_at__isnull=True)
        .exclude(file="")
        .exclude(Exists(unfinished))
        .select_related("referral")
        .order_by("pk")
    )
