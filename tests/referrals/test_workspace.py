"""The SKPD desk workspace: the citizen being served, their referrals here, actions on the spot."""

import pytest
from django.urls import reverse

from desks.models import Desk
from desks.services import ticket_call_next, ticket_issue, ticket_transfer
from referrals.models import Referral


@pytest.fixture
def served_at_dinkes(front_desk, alice, listed_person):
    """A visit: issued at registration, sent on to the Dinas Kesehatan desk, called there by alice."""
    registration = Desk.objects.get(code="REG")
    ticket = ticket_issue(desk=registration, issued_by=front_desk, person=listed_person)
    ticket_call_next(desk=registration, officer=front_desk)
    ticket_transfer(ticket=ticket, to_desk=Desk.objects.get(code="DINKES"), officer=front_desk)
    return ticket_call_next(desk=Desk.objects.get(code="DINKES"), officer=alice)


@pytest.mark.django_db
def test_workspace_shows_the_ticket_the_person_and_their_referrals_to_this_provider(
    client, alice, served_at_dinkes, make_referral, listed_person
):
    health = make_referral("DINKES-BEROBAT")
    school = make_referral("DISDIK-BIAYA")
    client.force_login(alice)
    page = client.get(reverse("referrals:workspace")).content.decode()
    assert served_at_dinkes.number in page
    assert listed_person.full_name in page and "Listed" in page
    assert health.number in page and school.number not in page
    assert listed_person.nik not in page  # desk officers see a masked NIK
    assert reverse("desks:ticket_start", args=[served_at_dinkes.pk]) in page
    assert f'name="next" value="{reverse("referrals:workspace")}"' in page


@pytest.mark.django_db
def test_receive_accept_and_complete_on_the_spot_return_to_the_workspace(
    client, alice, served_at_dinkes, make_referral
):
    health = make_referral("DINKES-BEROBAT")
    client.force_login(alice)
    workspace = reverse("referrals:workspace")
    for action, data in (
        ("receive", {}),
        ("accept", {}),
        ("complete", {"outcome": "granted", "outcome_detail": "Gratis berobat di puskesmas", "aid_kind": "in_kind"}),
    ):
        response = client.post(
            reverse("referrals:action", args=[health.pk, action]), {**data, "next": workspace}
        )
        assert response.status_code == 302 and response.url == workspace
    health.refresh_from_db()
    assert (health.status, health.outcome) == (Referral.Status.COMPLETED, "granted")
    response = client.post(
        reverse("referrals:action", args=[health.pk, "receive"]),
        {"next": "https://evil.example.org/"},
    )
    assert response.url == reverse("referrals:detail", args=[health.pk])


@pytest.mark.django_db
def test_another_providers_desk_does_not_see_the_visit_or_its_referrals(
    client, charlie, served_at_dinkes, make_referral
):
    health = make_referral("DINKES-BEROBAT")
    client.force_login(charlie)
    page = client.get(reverse("referrals:workspace")).content.decode()
    assert served_at_dinkes.number not in page and health.number not in page
    assert 'data-testid="no-current"' in page


@pytest.mark.django_db
def test_workspace_refuses_other_roles_and_explains_a_missing_desk(client, front_desk, bob):
    url = reverse("referrals:workspace")
    assert client.get(url).url.startswith(reverse("login"))
    client.force_login(front_desk)
    assert client.get(url).status_code == 403
    client.force_login(bob)  # assigned to Dinas Kesehatan, but to no desk
    assert 'data-testid="no-desk"' in client.get(url).content.decode()
