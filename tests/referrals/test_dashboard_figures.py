"""The dashboard's referral figures, from counters for whole months and from the referrals for
the days around them, equal a plain count of the referrals for any period and filter."""

from __future__ import annotations

import datetime
import random
import statistics

import pytest
from django.utils import timezone

from clients.models import Region
from desks.models import Service
from pandu.counters import differences
from referrals.models import Case, Referral
from referrals.selectors import dashboard_referrals
from tests import factories

TODAY = datetime.date(2026, 11, 28)
OPEN = ("sent", "received", "accepted", "returned")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def spread(reference_data, front_desk):
    """120 referrals over 14 months, two kecamatan, every state, some completed late."""
    rng = random.Random(27)
    cases = []
    for village in ("64.03.05.1004", "64.03.06.2001"):
        person = factories.PersonFactory(household=factories.HouseholdFactory(village=factories.village(village)))
        cases.append(Case.objects.create(person=person, registry_status="not_listed", proposed_pathway="sktm",
                                         pathway="sktm", pathway_decided_by=front_desk, created_by=front_desk))
    services = list(Service.objects.select_related("provider").order_by("pk")[:5])
    for sequence in range(1, 121):
        service = rng.choice(services)
        made = _at(TODAY - datetime.timedelta(days=rng.randrange(0, 420)), rng.choice((0, 7, 23)))
        status = rng.choice(["waiting", *OPEN, "completed", "completed", "rejected", "cancelled"])
        due = made.date() + datetime.timedelta(days=service.sla_days) if status != "waiting" else None
        closed = made + datetime.timedelta(days=rng.randrange(0, 2 * service.sla_days + 1), hours=rng.randrange(24))
        referral = Referral.objects.create(
            case=rng.choice(cases), service=service, provider=service.provider, year=2026, sequence=sequence,
            number=f"{sequence:05d}/T", status=status, created_by=front_desk, due_on=due,
            sent_at=made if status != "waiting" else None, waitlisted_at=made if status == "waiting" else None,
            outcome=rng.choice(["granted", "not_granted"]) if status == "completed" else "",
            closed_at=closed if status in ("completed", "rejected", "cancelled") else None,
        )
        Referral.objects.filter(pk=referral.pk).update(created_at=made)  # made on that day
    return services


def _plain(date_from, date_to, kecamatan=None, provider=None):
    referrals = [
        r for r in Referral.objects.all()
        if date_from <= timezone.localtime(r.created_at).date() <= date_to
        and (kecamatan is None or r.kecamatan_id == kecamatan.pk)
        and (provider is None or r.provider_id == provider.pk)
    ]
    per = {}
    for r in referrals:
        row = per.setdefault(r.provider_id, {"total": 0, "completed": 0, "within_sla": 0, "overdue": 0,
                                              "waiting": 0, "granted": 0, "days": []})
        row["total"] += 1
        row["waiting"] += r.status == "waiting"
        row["overdue"] += r.status in OPEN and r.due_on is not None and r.due_on < timezone.localdate()
        if r.status == "completed":
            row["completed"] += 1
            row["granted"] += r.outcome == "granted"
            row["within_sla"] += timezone.localtime(r.closed_at).date() <= r.due_on
            row["days"].append((timezone.localtime(r.closed_at).date() - timezone.localtime(r.sent_at).date()).days)
    months = {}
    for r in referrals:
        month = timezone.localtime(r.created_at).strftime("%Y-%m")
        months[month] = months.get(month, 0) + 1
    return per, months


@pytest.mark.django_db
@pytest.mark.parametrize(
    "date_from, date_to",
    [
        (datetime.date(2025, 11, 28), TODAY),       # the last 12 months: two partial months around 11 whole
        (datetime.date(2026, 1, 1), TODAY),         # this year: whole months and the days of this one
        (datetime.date(2026, 3, 1), datetime.date(2026, 6, 30)),   # whole months only
        (datetime.date(2026, 5, 10), datetime.date(2026, 5, 20)),  # days within one month
        (datetime.date(2026, 4, 30), datetime.date(2026, 6, 1)),   # a day, a month, a day
    ],
)
def test_figures_equal_a_plain_count(spread, date_from, date_to, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    kecamatan = Region.objects.get(code="64.03.05")
    provider = spread[0].provider
    for filters in ({}, {"kecamatan": kecamatan}, {"provider": provider}):
        figures = dashboard_referrals(date_from=date_from, date_to=date_to, **filters)
        per, months = _plain(date_from, date_to, **filters)
        got = {row["provider_id"]: row for row in figures["per_provider"]}
        assert set(got) == set(per), filters
        for provider_id, expected in per.items():
            row = got[provider_id]
            assert (row["total"], row["completed"], row["granted"], row["within_sla"], row["overdue"], row["waiting"]) == (
                expected["total"], expected["completed"], expected["granted"], expected["within_sla"],
                expected["overdue"], expected["waiting"],
            ), (filters, provider_id)
            if expected["days"]:
                assert row["median_days"] == statistics.median(expected["days"])
        assert {row["month"]: row["count"] for row in figures["per_month"]} == months, filters
        assert sum(row["total"] for row in figures["per_service"]) == sum(row["total"] for row in per.values())
        assert sum(row["count"] for row in figures["per_kecamatan"]) == sum(row["total"] for row in per.values())


@pytest.mark.django_db
def test_changing_and_deleting_referrals_keeps_the_counters_exact(spread):
    referral = Referral.objects.filter(status="sent").first()
    referral.status, referral.outcome, referral.closed_at = "completed", "granted", timezone.now()
    referral.save()
    Referral.objects.filter(status="rejected").update(status="cancelled")
    Referral.objects.filter(status="waiting").delete()
    assert differences() == []


@pytest.mark.django_db
def test_a_referral_keeps_the_kecamatan_its_person_lived_in(spread):
    referral = Referral.objects.select_related("case__person__household__village").first()
    kecamatan = referral.case.person.household.village.parent
    assert referral.kecamatan == kecamatan
    household = referral.case.person.household
    household.village = factories.village("64.03.01.2001")  # the family moves to another kecamatan
    household.save()
    referral.refresh_from_db()
    assert referral.kecamatan == kecamatan
