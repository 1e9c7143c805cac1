"""Quotas that move: places belong to a period (a year), a place is freed when the beneficiary
dies, moves out or the grant ends and the next waiting is offered it, and the waiting list
puts the poorest household first (latest validated verivali class), then the longest waiting."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from desks.models import Service
from referrals import selectors, services
from referrals.models import Referral
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def aslut(reference_data):
    service = Service.objects.get(code="DINSOS-ASLUT")
    service.quota = 1
    service.save()
    return service


@pytest.fixture
def dinsos(aslut):
    return factories.officer(username="hasanah", provider=aslut.provider, desk_code="DINSOS")


def refer(front_desk, service, *, person=None, at=None):
    person = person or factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))
    case = services.case_open(person=person, pathway="listed", decided_by=front_desk, services=[service], at=at)
    return case.referrals.get()


def granted(referral, officer):
    for action in ("receive", "accept"):
        services.referral_transition(referral=referral, action=action, actor=officer)
    return services.referral_transition(referral=referral, action="complete", actor=officer,
                                        outcome="granted", outcome_detail="Diterima")


def validated_class(household, welfare_class):
    """The household's latest validated verivali survey puts it in this class."""
    from verivali.models import Assessment, Batch, ScorecardVersion

    batch, _ = Batch.objects.get_or_create(code="VV-Q", defaults={
        "name": "Q", "period_start": datetime.date(2026, 1, 1), "period_end": datetime.date(2026, 12, 31)})
    surveyor = factories.user_with_role("surveyor", username=f"s{household.pk}")
    Assessment.objects.create(batch=batch, household=household, status="validated", welfare_class=welfare_class,
                              surveyor=surveyor, validated_by=surveyor, score=10,
                              version=ScorecardVersion.objects.get(number=1), validated_at=timezone.now())


def test_a_freed_place_goes_to_the_next_waiting_and_the_event_says_why(front_desk, aslut, dinsos):
    holder = granted(refer(front_desk, aslut), dinsos)
    waiting = refer(front_desk, aslut)
    assert (holder.status, waiting.status) == ("completed", "waiting")

    services.referral_release_place(referral=holder, reason="died", actor=dinsos)
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert waiting.status == "sent"
    assert holder.place_release_reason == "died" and holder.place_released_at is not None
    assert holder.events.get(action="release").note == "The beneficiary died"
    assert services.places_taken(aslut) == 1
    with pytest.raises(Exception, match="holds no place"):
        services.referral_release_place(referral=holder, reason="died", actor=dinsos)


def test_the_nightly_upkeep_frees_the_places_of_persons_deceased_or_moved_away(front_desk, aslut, dinsos):
    holder = granted(refer(front_desk, aslut), dinsos)
    waiting = refer(front_desk, aslut)
    assert "0 places freed" in services.quota_upkeep()
    holder.case.person.__class__.objects.filter(pk=holder.case.person_id).update(life_status="moved")
    assert services.quota_upkeep().startswith("1 places freed")
    holder.refresh_from_db()
    assert holder.place_release_reason == "moved_out"
    assert Referral.objects.get(pk=waiting.pk).status == "sent"


def test_places_belong_to_a_year_and_a_new_year_moves_the_waiting_list_up(front_desk, aslut, dinsos):
    last_year = timezone.now().replace(year=timezone.now().year - 1)
    old = refer(front_desk, aslut, at=last_year)
    Referral.objects.filter(pk=old.pk).update(sent_at=last_year)
    assert services.places_taken(aslut) == 0  # last year's place does not count this year
    assert refer(front_desk, aslut).status == "sent"

    aslut.quota_period = Service.QuotaPeriod.NONE
    aslut.save()
    assert services.places_taken(aslut) == 2  # without a period every held place counts
    aslut.quota_period = Service.QuotaPeriod.YEAR
    aslut.save()
    Referral.objects.filter(service=aslut).update(sent_at=last_year)
    waiting_ref = refer(front_desk, aslut)
    assert waiting_ref.status == "sent"  # the year's place was free
    late = refer(front_desk, aslut)
    assert late.status == "waiting"
    Referral.objects.filter(pk=waiting_ref.pk).update(sent_at=last_year)  # as if the year turned
    services.quota_upkeep()
    assert Referral.objects.get(pk=late.pk).status == "sent"


def test_the_waiting_list_puts_the_poorest_first_and_says_why(front_desk, aslut, dinsos, client):
    granted(refer(front_desk, aslut), dinsos)
    first_come = refer(front_desk, aslut)  # never assessed
    near_poor = refer(front_desk, aslut)
    very_poor = refer(front_desk, aslut)
    validated_class(near_poor.case.person.household, "near_poor")
    validated_class(very_poor.case.person.household, "very_poor")
    rows = selectors.waiting_list(aslut)
    assert [r.pk for r in rows] == [very_poor.pk, near_poor.pk, first_come.pk]
    assert [selectors.waiting_position(r) for r in (very_poor, near_poor, first_come)] == [1, 2, 3]

    client.force_login(front_desk)
    page = client.get(reverse("referrals:waiting_lists")).content.decode()
    assert page.index(very_poor.number) < page.index(near_poor.number) < page.index(first_come.number)
    assert "Sangat miskin" in page or "Very poor" in page


def test_the_provider_frees_a_place_from_the_referral_page_and_an_outsider_cannot(
    client, front_desk, aslut, dinsos, reference_data
):
    holder = granted(refer(front_desk, aslut), dinsos)
    waiting = refer(front_desk, aslut)
    url = reverse("referrals:release_place", args=[holder.pk])

    outsider = factories.officer(username="charlie", provider=Service.objects.get(code="DISDIK-BIAYA").provider,
                                 desk_code="DISDIK")
    client.force_login(outsider)
    assert client.post(url, {"reason": "grant_ended"}).status_code == 404
    client.force_login(factories.user_with_role("surveyor", username="andi"))
    assert client.post(url, {"reason": "grant_ended"}).status_code == 403
    client.force_login(factories.user_with_role("head", username="kepala2"))
    assert client.post(url, {"reason": "grant_ended"}).status_code == 403  # reads, does not act

    client.force_login(dinsos)
    page = client.get(reverse("referrals:detail", args=[holder.pk])).content.decode()
    assert 'data-testid="release-place"' in page
    assert client.get(url).status_code == 405
    client.post(url, {"reason": "grant_ended"})
    assert Referral.objects.get(pk=waiting.pk).status == "sent"
    page = client.get(reverse("referrals:detail", args=[holder.pk])).content.decode()
    assert 'data-testid="place-freed"' in page and 'data-testid="release-place"' not in page
