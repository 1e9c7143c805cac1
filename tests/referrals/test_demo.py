"""seed_demo gives every page something real to show: every state, a year, a waiting list."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from referrals.models import Recommendation, Referral


@pytest.mark.django_db
def test_demo_has_referrals_in_every_state_over_the_last_year(reference_data):
    call_command("seed_demo", "--households", "20", stdout=StringIO())
    referrals = Referral.objects.all()
    assert set(referrals.values_list("status", flat=True)) == set(Referral.Status.values)
    assert set(referrals.exclude(outcome="").values_list("outcome", flat=True)) == {
        "granted",
        "not_granted",
    }
    assert set(Recommendation.objects.values_list("status", flat=True)) == set(
        Recommendation.Status.values
    )
    assert referrals.values("provider").distinct().count() >= 5
    assert referrals.values("case__person__household__village__parent").distinct().count() >= 3
    months = {timezone.localtime(r.created_at).strftime("%Y-%m") for r in referrals}
    assert len(months) >= 8
    assert (timezone.now() - min(r.created_at for r in referrals)).days <= 366
    aslut = referrals.filter(service__code="DINSOS-ASLUT")
    assert aslut.filter(status="waiting").count() >= 3
    assert aslut.filter(events__action="promote").exists()
    # Numbers are gap-free per year even though the demo is back-dated.
    for year, n in referrals.values_list("year").annotate(n=Count("id")):
        assert sorted(referrals.filter(year=year).values_list("sequence", flat=True)) == list(
            range(1, n + 1)
        )


@pytest.mark.django_db
def test_demo_gives_the_case_worker_a_caseload_with_an_overdue_follow_up(reference_data):
    from django.contrib.auth import get_user_model

    from referrals.case_selectors import case_figures, caseload_for_home
    from referrals.models import Case

    call_command("seed_demo", "--households", "20", stdout=StringIO())
    peksos = get_user_model().objects.get(username="peksos")
    home = caseload_for_home(peksos)
    assert home["caseload"] and home["overdue_follow_ups"]
    assert any(case.open_need_count for case in home["caseload"])
    assert home["to_take"] > 0
    closed = set(Case.objects.filter(status="closed").values_list("closure_reason", flat=True))
    assert closed == set(Case.ClosureReason.values)
    assert Case.objects.filter(events__action="reopened").exists()
    assert case_figures(since=timezone.localdate().replace(month=1, day=1))["open"] > 0
