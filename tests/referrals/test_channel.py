"""How an answer arrived (the provider in the app, the office typing a paper answer, later the
agency's system or a reply slip), and the value of the aid given: recorded on the timeline."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from referrals import services
from referrals.models import ReferralEvent
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_providers_officer_answers_in_the_app_with_the_value_of_the_aid(client, alice, make_referral):
    referral = make_referral("DINKES-BEROBAT", status="accepted")
    client.force_login(alice)
    client.post(reverse("referrals:action", args=[referral.pk, "complete"]),
                {"outcome": "granted", "outcome_detail": "Operasi katarak gratis", "aid_value": "2500000"})
    referral.refresh_from_db()
    assert (referral.status, referral.aid_value) == ("completed", 2_500_000)
    assert referral.events.get(action="complete").channel == ReferralEvent.Channel.APP
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert 'data-testid="aid-value"' in page and ("2.500.000" in page or "2,500,000" in page)


def test_the_front_desk_typing_a_paper_answer_is_recorded_as_entered_by_the_office(client, front_desk, make_referral):
    referral = make_referral("BAZNAS-SEHAT", status="accepted")  # Baznas has no desk in the office
    client.force_login(front_desk)
    client.post(reverse("referrals:action", args=[referral.pk, "complete"]),
                {"outcome": "not_granted", "outcome_detail": "Sudah ditanggung BPJS"})
    event = referral.events.get(action="complete")
    assert event.channel == ReferralEvent.Channel.OFFICE
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert 'data-testid="channel"' in page


def test_a_value_only_for_a_granted_outcome_and_never_negative(alice, make_referral):
    referral = make_referral("DINKES-BEROBAT", status="accepted")
    for outcome, value in (("not_granted", 1000), ("granted", -5)):
        with pytest.raises(ValidationError):
            services.referral_transition(referral=referral, action="complete", actor=alice, outcome=outcome,
                                         outcome_detail="x", aid_value=value)
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_a_place_moved_up_from_the_waiting_list_is_pandus_own_move(front_desk, make_referral, reference_data):
    from desks.models import Service

    service = Service.objects.get(code="DINSOS-ASLUT")
    service.quota = 1
    service.save()
    first = make_referral("DINSOS-ASLUT")
    second = make_referral("DINSOS-ASLUT", person=factories.PersonFactory(household__registry_status="listed"))
    services.referral_transition(referral=first, action="cancel", actor=front_desk, note="Salah layanan")
    assert second.events.get(action="promote").channel == ReferralEvent.Channel.SYSTEM
