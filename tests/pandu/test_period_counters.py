"""The cases per pathway and per closing reason, and the aid per provider, service, kecamatan and
month, read from monthly counters for whole months and from the rows for the days around them,
equal a plain count of the rows for any period; the counters stay exact through every change."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from clients.models import Region
from desks.models import Service
from pandu.counters import differences
from pandu.office.selectors import aid_totals_by, case_flow
from referrals.models import Case, Referral
from tests import factories

TODAY = datetime.date(2026, 11, 28)
PERIODS = [
    (datetime.date(2025, 11, 28), TODAY),                      # two partial months around 11 whole
    (datetime.date(2026, 1, 1), TODAY),                        # whole months and the days of this one
    (datetime.date(2026, 3, 1), datetime.date(2026, 6, 30)),   # whole months only
    (datetime.date(2026, 5, 10), datetime.date(2026, 5, 20)),  # days within one month
    (datetime.date(2026, 4, 30), datetime.date(2026, 6, 1)),   # a day, a month, a day
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _day(moment) -> datetime.date:
    return timezone.localtime(moment).date()


@pytest.fixture
def history(reference_data, front_desk):
    """80 cases and 100 granted referrals over 14 months in two kecamatan, opened and closed at
    midnight, in the morning and late in the evening (WITA), some reopened."""
    rng = random.Random(41)
    persons = [
        factories.PersonFactory(household=factories.HouseholdFactory(village=factories.village(code)))
        for code in ("64.03.05.1004", "64.03.06.2001", "64.03.05.1004")
    ]
    cases = []
    for _ in range(80):
        made = _at(TODAY - datetime.timedelta(days=rng.randrange(0, 420)), rng.choice((0, 7, 23)))
        pathway = rng.choice(["listed", "in_verification", "sktm"])
        case = Case.objects.create(person=rng.choice(persons), registry_status="listed", proposed_pathway=pathway,
                                   pathway=pathway, pathway_decided_by=front_desk, created_by=front_desk)
        closed = {}
        if rng.random() < 0.6:
            closed = {"status": Case.Status.CLOSED, "closure_reason": rng.choice(Case.ClosureReason.values),
                      "closed_at": made + datetime.timedelta(days=rng.randrange(0, 60), hours=rng.randrange(24))}
        Case.objects.filter(pk=case.pk).update(created_at=made, **closed)
        cases.append(case)
    services = list(Service.objects.select_related("provider").order_by("pk")[:4])
    for sequence in range(1, 101):
        service = rng.choice(services)
        made = _at(TODAY - datetime.timedelta(days=rng.randrange(0, 420)), rng.choice((0, 7, 23)))
        kind = rng.choice(["money", "money", "in_kind", ""])
        Referral.objects.create(
            case=rng.choice(cases), service=service, provider=service.provider, year=2026, sequence=sequence,
            number=f"{sequence:05d}/A", status="completed", outcome="granted", outcome_detail="x",
            created_by=front_desk, sent_at=made, due_on=made.date(), aid_kind=kind,
            aid_value=rng.randrange(1, 40) * 50_000 if kind == "money" else None,
            closed_at=made + datetime.timedelta(days=rng.randrange(0, 40), hours=rng.randrange(24)),
        )
    return cases


def _plain_cases(date_from, date_to, kecamatan=None):
    cases = [c for c in Case.objects.select_related("person__household__village")
             if kecamatan is None or c.person.household.village.parent_id == kecamatan.pk]
    opened, closed = {}, {}
    for case in cases:
        if date_from <= _day(case.created_at) <= date_to:
            opened[case.pathway] = opened.get(case.pathway, 0) + 1
        if case.status == Case.Status.CLOSED and date_from <= _day(case.closed_at) <= date_to:
            closed[case.closure_reason] = closed.get(case.closure_reason, 0) + 1
    return opened, closed


@pytest.mark.django_db
@pytest.mark.parametrize("date_from, date_to", PERIODS)
def test_cases_per_pathway_and_reason_equal_a_plain_count(history, date_from, date_to):
    for kecamatan in (None, Region.objects.get(code="64.03.05")):
        flow = case_flow(date_from=date_from, date_to=date_to, kecamatan=kecamatan)
        opened, closed = _plain_cases(date_from, date_to, kecamatan)
        assert {k: v for k, v in flow["pathways"].items() if v} == {k: v for k, v in opened.items() if k in flow["pathways"]}
        assert flow["opened"] == sum(opened.values())
        assert {k: v for k, v in flow["closed_by_reason"].items() if v} == closed
        assert flow["closed"] == sum(closed.values())


@pytest.mark.django_db
@pytest.mark.parametrize("date_from, date_to", PERIODS)
def test_the_aid_per_group_equals_a_plain_sum(history, date_from, date_to):
    kecamatan = Region.objects.get(code="64.03.05")
    for filters in ({}, {"kecamatan": kecamatan}):
        grants = [r for r in Referral.objects.all() if date_from <= _day(r.closed_at) <= date_to
                  and ("kecamatan" not in filters or r.kecamatan_id == kecamatan.pk)]
        found = aid_totals_by(date_from=date_from, date_to=date_to,
                              groups=("provider", "service", "kecamatan", "month"), **filters)
        for group, key in (("provider", lambda r: r.provider_id), ("service", lambda r: r.service_id),
                           ("kecamatan", lambda r: r.kecamatan_id),
                           ("month", lambda r: f"{_day(r.closed_at):%Y-%m}")):
            expected = {}
            for r in grants:
                row = expected.setdefault(key(r), {"grants": 0, "rupiah": 0, "in_money": 0, "in_kind": 0,
                                                   "not_stated": 0})
                row["grants"] += 1
                row["rupiah"] += r.aid_value or 0
                row[{"money": "in_money", "in_kind": "in_kind", "": "not_stated"}[r.aid_kind]] += 1
            got = {row["key"]: {figure: row[figure] for figure in ("grants", "rupiah", "in_money", "in_kind",
                                                                    "not_stated")} for row in found[group]}
            assert got == expected, (group, filters)


@pytest.mark.django_db
def test_reopening_closing_and_deleting_cases_keeps_the_counters_exact(history, front_desk):
    closed = Case.objects.filter(status=Case.Status.CLOSED).first()
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.OPEN, closure_reason="", closed_at=None)
    still_open = Case.objects.filter(status=Case.Status.OPEN).exclude(pk=closed.pk).first()
    still_open.status, still_open.closure_reason, still_open.closed_at = (
        Case.Status.CLOSED, Case.ClosureReason.ALL_MET, timezone.now())
    still_open.save()
    Case.objects.filter(pathway="sktm", referrals__isnull=True).delete()
    Referral.objects.filter(aid_kind="money").update(aid_value=1_000_000)
    Referral.objects.filter(aid_kind="in_kind")[:1].get().delete()
    assert differences() == []
