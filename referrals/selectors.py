"""Reads of the referrals app and the access rules: who sees which referral, case and person."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from desks.models import Provider, Service
from desks.selectors import provider_for_user
from pandu import roles
from referrals import services
from referrals.models import Case as CaseModel
from referrals.models import Recommendation, Referral, ReferralAttachment

# Roles that follow every referral of the office.
ALL_REFERRALS_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER, roles.HEAD, roles.ADMIN)
# Roles that may open a referral page at all (desk officers: only their provider's).
REFERRAL_ROLES = (*ALL_REFERRALS_ROLES, roles.DESK_OFFICER)
CASE_ROLES = ALL_REFERRALS_ROLES
CASE_OPEN_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER)
RECOMMENDATION_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER, roles.HEAD, roles.ADMIN)
RECOMMENDATION_REQUEST_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER)

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


def referrals_for_user(user, *, on: datetime.date | None = None) -> QuerySet[Referral]:
    if roles.has_role(user, *ALL_REFERRALS_ROLES):
        return Referral.objects.all()
    provider = officer_provider(user, on=on)
    if provider is None:
        return Referral.objects.none()
    return Referral.objects.filter(provider=provider)


def get_referral_for_user(user, pk) -> Referral:
    """The referral, or 404 for anyone who may not see it (an officer of another provider)."""
    return get_object_or_404(referrals_for_user(user).select_related(*_RELATED), pk=pk)


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
        queryset = queryset.filter(case__person__household__village__parent=kecamatan)
    if query:
        queryset = queryset.filter(
            Q(number__icontains=query) | Q(case__person__full_name__icontains=query)
        )
    return queryset.order_by("-overdue", "-is_open", "due_on", "-created_at", "-pk")


def waiting_position(referral: Referral) -> int | None:
    """1 for the next one to move up; None when the referral is not waiting."""
    if referral.status != Referral.Status.WAITING:
        return None
    ahead = Referral.objects.filter(
        service_id=referral.service_id, status=Referral.Status.WAITING
    ).filter(
        Q(waitlisted_at__lt=referral.waitlisted_at)
        | Q(waitlisted_at=referral.waitlisted_at, pk__lt=referral.pk)
    )
    return ahead.count() + 1


def waiting_list(service) -> list[Referral]:
    return list(
        Referral.objects.filter(service=service, status=Referral.Status.WAITING)
        .select_related("case__person")
        .order_by("waitlisted_at", "pk")
    )


def quota_summary(service) -> dict | None:
    if service.quota is None:
        return None
    return {
        "quota": service.quota,
        "taken": services.places_taken(service),
        "waiting": Referral.objects.filter(service=service, status=Referral.Status.WAITING).count(),
    }


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
        with_overdue(referrals_for_user(user).filter(case__person=person))
        .select_related("service", "provider", "case")
        .order_by("-created_at", "-pk")
    )


def person_filter_for_officer(user):
    """Persons a desk officer may open: those with a referral to the officer's provider today."""
    provider = officer_provider(user)
    if provider is None:
        return None
    return Q(Exists(Referral.objects.filter(case__person=OuterRef("pk"), provider=provider)))


def unread_outcome_count(user) -> int:
    if not roles.has_role(user, roles.FRONT_DESK, roles.DATA_OFFICER):
        return 0
    return Referral.objects.filter(created_by=user, creator_unread=True).count()


def unread_outcomes(user) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(created_by=user, creator_unread=True)
        .select_related("service", "provider", "case__person")
        .order_by("-updated_at")
    )


def cases_for_user(user) -> QuerySet[CaseModel]:
    if roles.has_role(user, *CASE_ROLES):
        return CaseModel.objects.all()
    return CaseModel.objects.none()


def get_case_for_user(user, pk) -> CaseModel:
    return get_object_or_404(
        cases_for_user(user).select_related(
            "person__household__village__parent",
            "pathway_decided_by",
            "created_by",
            "recommendation",
            "ticket",
        ),
        pk=pk,
    )


def recommendations_for_user(user) -> QuerySet[Recommendation]:
    if roles.has_role(user, *RECOMMENDATION_ROLES):
        return Recommendation.objects.all()
    return Recommendation.objects.none()


def get_recommendation_for_user(user, pk) -> Recommendation:
    return get_object_or_404(
        recommendations_for_user(user).select_related(
            "person__household__village__parent", "requested_by", "decided_by"
        ),
        pk=pk,
    )


def referral_counts_for_home(user) -> dict:
    """Counts for the role home pages: what is waiting for this user."""
    today = timezone.localdate()
    queryset = with_overdue(referrals_for_user(user), today=today)
    return {
        "open": queryset.filter(status__in=Referral.OPEN_STATUSES).count(),
        "new": queryset.filter(status=Referral.Status.SENT).count(),
        "overdue": queryset.filter(overdue=True).count(),
        "waiting": queryset.filter(status=Referral.Status.WAITING).count(),
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


def dashboard_referrals(*, date_from, date_to, kecamatan=None, provider=None) -> dict:
    """Referrals made in the period: per provider and per service (total, by state, completed
    within SLA, median days to completion, overdue now), per month and per kecamatan, and the
    quota services' places and waiting lists. Aggregated in the database."""
    from django.db import connection

    where = ["r.created_at >= %s", "r.created_at < %s"]
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min))
    params: list = [start, end]
    join = ""
    if kecamatan is not None:
        join = (" JOIN referrals_case c ON c.id = r.case_id JOIN clients_person p ON p.id = c.person_id"
                " JOIN clients_household h ON h.id = p.household_id JOIN clients_region v ON v.id = h.village_id")
        where.append("v.parent_id = %s")
        params.append(kecamatan.pk)
    if provider is not None:
        where.append("r.provider_id = %s")
        params.append(provider.pk)
    where_sql = " AND ".join(where)
    today = timezone.localdate()
    figures = """
        count(*) AS total,
        count(*) FILTER (WHERE r.status = 'waiting') AS waiting,
        count(*) FILTER (WHERE r.status IN ('sent', 'received')) AS pending,
        count(*) FILTER (WHERE r.status = 'accepted') AS accepted,
        count(*) FILTER (WHERE r.status = 'completed') AS completed,
        count(*) FILTER (WHERE r.status = 'completed' AND r.outcome = 'granted') AS granted,
        count(*) FILTER (WHERE r.status = 'rejected') AS rejected,
        count(*) FILTER (WHERE r.status = 'returned') AS returned,
        count(*) FILTER (WHERE r.status = 'cancelled') AS cancelled,
        count(*) FILTER (WHERE r.status = 'completed'
                         AND (r.closed_at AT TIME ZONE 'Asia/Makassar')::date <= r.due_on) AS within_sla,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.closed_at - r.sent_at) / 86400)
            FILTER (WHERE r.status = 'completed') AS median_days,
        count(*) FILTER (WHERE r.status IN ('sent', 'received', 'accepted', 'returned') AND r.due_on < %s) AS overdue
    """
    keys = ["total", "waiting", "pending", "accepted", "completed", "granted", "rejected", "returned",
            "cancelled", "within_sla", "median_days", "overdue"]

    def rows(group_sql: str, label_cols: list[str]) -> list[dict]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {group_sql}, {figures} FROM referrals_referral r{join}"
                           f" WHERE {where_sql} GROUP BY {group_sql} ORDER BY total DESC",
                           [today, *params])
            result = []
            for record in cursor.fetchall():
                row = dict(zip(label_cols + keys, record, strict=True))
                row["sla_pct"] = round(100 * row["within_sla"] / row["completed"]) if row["completed"] else None
                result.append(row)
            return result

    per_provider = rows("r.provider_id", ["provider_id"])
    per_service = rows("r.service_id", ["service_id"])
    names = dict(Provider.objects.values_list("pk", "name"))
    services_by_pk = {s.pk: s for s in Service.objects.select_related("provider")}
    for row in per_provider:
        row["name"] = names.get(row["provider_id"], "")
    for row in per_service:
        service = services_by_pk.get(row["service_id"])
        row["name"] = service.name if service else ""
        row["provider"] = service.provider.name if service else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT to_char(date_trunc('month', r.created_at AT TIME ZONE 'Asia/Makassar'), 'YYYY-MM') AS month,"
            f" count(*) FROM referrals_referral r{join} WHERE {where_sql} GROUP BY 1 ORDER BY 1", params)
        per_month = [{"month": m, "count": n} for m, n in cursor.fetchall()]
        kjoin = join or (" JOIN referrals_case c ON c.id = r.case_id JOIN clients_person p ON p.id = c.person_id"
                         " JOIN clients_household h ON h.id = p.household_id JOIN clients_region v ON v.id = h.village_id")
        cursor.execute(
            f"SELECT k.code, k.name, count(*) FROM referrals_referral r{kjoin} JOIN clients_region k ON k.id = v.parent_id"
            f" WHERE {where_sql} GROUP BY k.code, k.name ORDER BY k.code", params)
        per_kecamatan = [{"code": c, "name": n.title(), "count": k} for c, n, k in cursor.fetchall()]
    quotas = [
        {"service": service, **quota_summary(service)}
        for service in Service.objects.filter(quota__isnull=False).select_related("provider")
        if provider is None or service.provider_id == provider.pk
    ]
    totals = {key: sum(row[key] or 0 for row in per_provider) for key in keys if key != "median_days"}
    return {"per_provider": per_provider, "per_service": per_service, "per_month": per_month,
            "per_kecamatan": per_kecamatan, "quotas": quotas, "totals": totals}


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
