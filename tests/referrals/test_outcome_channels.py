"""The head's dashboard: per provider, how the answers arrived (the provider's officer in the app,
the office for the provider, the agency's system, a reply slip) and the median days each took."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from desks.models import Provider, Service
from referrals import services
from referrals.selectors import dashboard_outcome_channels
from tests import factories

pytestmark = pytest.mark.django_db

SENT = timezone.now() - datetime.timedelta(days=30)


def _referral(code, front_desk):
    person = factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))
    case = services.case_open(person=person, pathway="listed", decided_by=front_desk,
                              services=[Service.objects.get(code=code)], at=SENT)
    return case.referrals.get()


def _days(n):
    return SENT + datetime.timedelta(days=n)


@pytest.fixture
def answered(reference_data, front_desk, alice):
    def move(referral, actions, *, days, channel="", actor=alice, **extra):
        for action in actions:
            referral = services.referral_transition(referral=referral, action=action, actor=actor, channel=channel,
                                                    at=_days(days), **extra)
        return referral

    granted = {"outcome": "granted", "outcome_detail": "x"}
    # Dinas Kesehatan: two answers in the app (2 and 4 days), one from its system (3 days).
    move(_referral("DINKES-BEROBAT", front_desk), ["receive", "accept", "complete"], days=2, **granted)
    move(_referral("DINKES-BEROBAT", front_desk), ["reject"], days=4, note="Bukan wewenang")
    move(_referral("DINKES-BEROBAT", front_desk), ["receive", "accept", "complete"], days=3, channel="api", **granted)
    # Baznas (no desk in the office): two reply slips (10 and 6 days), one typed by the office (5 days).
    services.referral_record_reply_slip(referral=_referral("BAZNAS-SEHAT", front_desk), decision="granted",
                                        actor=front_desk, detail="Rp 1 juta", at=_days(10))
    services.referral_record_reply_slip(referral=_referral("BAZNAS-SEHAT", front_desk), decision="reject",
                                        actor=front_desk, detail="Sudah dibantu", at=_days(6))
    move(_referral("BAZNAS-SEHAT", front_desk), ["reject"], days=5, channel="office", actor=front_desk, note="x")
    # Not answers: a cancelled referral, one still open, one only received from a slip.
    move(_referral("BAZNAS-SEHAT", front_desk), ["cancel"], days=1, actor=front_desk, note="Salah layanan")
    _referral("BAZNAS-SEHAT", front_desk)
    services.referral_record_reply_slip(referral=_referral("BAZNAS-SEHAT", front_desk), decision="receive",
                                        actor=front_desk, at=_days(1))
    return {"dinkes": Provider.objects.get(code="DINKES"), "baznas": Provider.objects.get(code="BAZNAS")}


def _cells(row):
    return {cell["channel"]: (cell["count"], cell["median_days"]) for cell in row["cells"]}


def test_counts_and_median_days_per_provider_and_channel(answered):
    figures = dashboard_outcome_channels(date_from=SENT.date() - datetime.timedelta(days=1),
                                         date_to=timezone.localdate())
    rows = {row["provider_id"]: row for row in figures["rows"]}
    dinkes, baznas = _cells(rows[answered["dinkes"].pk]), _cells(rows[answered["baznas"].pk])
    assert dinkes == {"app": (2, pytest.approx(3.0)), "office": (0, None), "api": (1, pytest.approx(3.0)),
                      "reply_slip": (0, None)}
    assert baznas == {"app": (0, None), "office": (1, pytest.approx(5.0)), "api": (0, None),
                      "reply_slip": (2, pytest.approx(8.0))}
    assert rows[answered["baznas"].pk]["total"] == 3
    totals = {cell["channel"]: cell["count"] for cell in figures["totals"]}
    assert totals == {"app": 2, "office": 1, "api": 1, "reply_slip": 2}


def test_a_provider_filter_and_a_period_without_answers(answered):
    only = dashboard_outcome_channels(date_from=SENT.date() - datetime.timedelta(days=1),
                                      date_to=timezone.localdate(), provider=answered["baznas"])
    assert [row["provider_id"] for row in only["rows"]] == [answered["baznas"].pk]
    before = dashboard_outcome_channels(date_from=datetime.date(2020, 1, 1), date_to=datetime.date(2020, 12, 31))
    assert before["rows"] == [] and {cell["count"] for cell in before["totals"]} == {0}


def test_the_heads_dashboard_shows_the_channels(client, head, answered):
    client.force_login(head)
    response = client.get(reverse("dashboard"), {"date_from": (SENT.date() - datetime.timedelta(days=1)).isoformat()})
    page = response.content.decode()
    assert 'data-testid="outcome-channels"' in page
    baznas = answered["baznas"].pk
    assert f'data-testid="channel-{baznas}-reply_slip">2<' in page
    assert f'data-testid="channel-median-{baznas}-reply_slip">8.0<' in page
    xlsx = client.get(reverse("dashboard"), {"export": "xlsx"})
    assert xlsx.status_code == 200
