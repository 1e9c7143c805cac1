"""Household changes at the desk: a move to another KK, a split, a death (its referrals closed and
its quota place freed), a birth; each with its member history, audit event and proposal to the
national registry, and its page (an outsider gets 404)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clients import changes
from clients.models import Household, MemberChange, NationalProposal, Person
from desks.models import Service
from pandu.models import AuditEvent
from referrals import services as referral_services
from referrals.models import Referral
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


@pytest.fixture
def family(reference_data):
    household = factories.HouseholdFactory(registry_status="listed")
    head = factories.PersonFactory(household=household, full_name="Rahmat Hidayat", sex="L",
                                   birth_date=datetime.date(1970, 1, 1))
    son = factories.PersonFactory(household=household, full_name="Andi Hidayat", sex="L", relationship="child",
                                  birth_date=datetime.date(1995, 5, 5))
    wife = factories.PersonFactory(household=household, full_name="Nur Andi", relationship="child_in_law",
                                   birth_date=datetime.date(1997, 7, 7))
    return household, head, son, wife


def test_move_puts_the_person_in_the_other_kk_with_history_audit_and_proposal(family, front_desk, today):
    household, head, son, _wife = family
    other = factories.HouseholdFactory()
    changes.person_move(person=son, to_household=other, relationship="spouse", on=today, changed_by=front_desk,
                        note="Menikah")
    son.refresh_from_db()
    assert (son.household, son.relationship) == (other, "spouse")
    change = MemberChange.objects.get(person=son)
    assert (change.kind, change.from_household, change.to_household) == ("move", household, other)
    assert AuditEvent.objects.filter(object_id=str(son.pk), summary__startswith="moved person").exists()
    proposal = NationalProposal.objects.get(person=son)
    assert (proposal.kind, proposal.cause, proposal.household) == ("correction", "move", other)
    assert household.kk_number in proposal.reason and other.kk_number in proposal.reason
    with pytest.raises(ValidationError, match="already in this household"):
        changes.person_move(person=son, to_household=other, relationship="spouse", on=today, changed_by=front_desk)


def test_split_makes_a_new_household_with_the_members_who_leave(family, front_desk, today):
    household, head, son, wife = family
    new = changes.household_split(
        household=household, members=[son, wife], head=son, kk_number="6403050101990001", address="Jl. Baru 2",
        village=household.village, on=today, changed_by=front_desk,
    )
    assert new.kk_number == "6403050101990001"
    assert set(new.members.values_list("full_name", "relationship")) == {
        ("Andi Hidayat", "head"), ("Nur Andi", "child_in_law")}
    assert list(household.members.all()) == [head]
    assert MemberChange.objects.filter(kind="split", to_household=new).count() == 2
    assert NationalProposal.objects.get(household=new).kind == "new"


def test_split_keeps_someone_in_the_old_household_and_a_head_among_those_who_leave(family, front_desk, today):
    household, head, son, wife = family
    kwargs = {"household": household, "kk_number": "6403050101990002", "address": "Jl. Baru", "on": today,
              "village": household.village, "changed_by": front_desk}
    with pytest.raises(ValidationError, match="at least one member stays"):
        changes.household_split(members=[head, son, wife], head=son, **kwargs)
    with pytest.raises(ValidationError, match="one of the members who leave"):
        changes.household_split(members=[son], head=wife, **kwargs)
    assert not Household.objects.filter(kk_number="6403050101990002").exists()


def test_death_cancels_open_referrals_and_frees_the_quota_place_for_the_next(family, front_desk, today):
    _household, head, son, _wife = family
    aslut = Service.objects.get(code="DINSOS-ASLUT")
    aslut.quota = 1
    aslut.save()
    dinsos = factories.officer(username="hasanah", provider=aslut.provider, desk_code="DINSOS")
    held = referral_services.case_open(person=head, pathway="listed", decided_by=front_desk,
                                       services=[aslut]).referrals.get()
    for action in ("receive", "accept"):
        referral_services.referral_transition(referral=held, action=action, actor=dinsos)
    referral_services.referral_transition(referral=held, action="complete", actor=dinsos, outcome="granted",
                                          outcome_detail="Bantuan bulanan")
    open_one = referral_services.case_open(person=head, pathway="listed", decided_by=front_desk,
                                           services=[Service.objects.get(code="DINKES-BEROBAT")]).referrals.get()
    other = factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))
    waiting = referral_services.case_open(person=other, pathway="listed", decided_by=front_desk,
                                          services=[aslut]).referrals.get()
    assert waiting.status == "waiting"

    changes.person_record_death(person=head, died_on=today, changed_by=front_desk, note="Akta kematian 12/2026")

    head.refresh_from_db()
    assert (head.life_status, head.died_on) == ("deceased", today)
    open_one.refresh_from_db()
    assert open_one.status == Referral.Status.CANCELLED
    assert "died" in open_one.events.latest("at").note
    held.refresh_from_db()
    assert held.place_release_reason == Referral.PlaceRelease.DIED
    waiting.refresh_from_db()
    assert waiting.status == Referral.Status.SENT  # the freed place went to the next
    assert NationalProposal.objects.get(person=head).kind == "deactivation"
    with pytest.raises(ValidationError, match="deceased"):
        changes.person_record_death(person=head, died_on=today, changed_by=front_desk)


def test_death_before_birth_or_in_the_future_is_refused(family, front_desk, today):
    head = family[1]
    for day in (datetime.date(1960, 1, 1), today + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError):
            changes.person_record_death(person=head, died_on=day, changed_by=front_desk)
    assert Person.objects.get(pk=head.pk).life_status == "active"


def test_birth_adds_a_child_without_nik_and_proposes_a_new_member(family, front_desk, today):
    household = family[0]
    baby = changes.person_record_birth(household=household, full_name="Bayi Putri", sex="P",
                                       birth_date=today, changed_by=front_desk)
    assert (baby.household, baby.relationship, baby.nik) == (household, "child", None)
    assert baby.no_nik_reason
    assert MemberChange.objects.get(person=baby).kind == "birth"
    assert NationalProposal.objects.get(person=baby).cause == "birth"
    with pytest.raises(ValidationError, match="within a year"):
        changes.person_record_birth(household=household, full_name="Lama", sex="L",
                                    birth_date=today - datetime.timedelta(days=800), changed_by=front_desk)


def test_front_desk_records_a_death_from_the_person_page(client, family, front_desk, today):
    head = family[1]
    client.force_login(front_desk)
    page = client.get(reverse("clients:person_detail", args=[head.pk])).content.decode()
    assert reverse("clients:person_death", args=[head.pk]) in page
    form = client.get(reverse("clients:person_death", args=[head.pk])).content.decode()
    assert "data-confirm" in form
    response = client.post(reverse("clients:person_death", args=[head.pk]), {"died_on": today.isoformat()})
    assert response.status_code == 302
    page = client.get(reverse("clients:person_detail", args=[head.pk])).content.decode()
    assert 'data-testid="life-status"' in page and reverse("clients:person_death", args=[head.pk]) not in page


def test_move_page_names_an_unknown_kk_and_keeps_the_form(client, family, front_desk, today):
    son = family[2]
    client.force_login(front_desk)
    response = client.post(reverse("clients:person_move", args=[son.pk]),
                           {"kk_number": "6403059999990000", "relationship": "spouse", "on": today.isoformat(),
                            "note": "Menikah"})
    assert response.status_code == 200
    assert "Belum ada rumah tangga dengan nomor KK ini" in response.content.decode()  # the office's language
    assert "Menikah" in response.content.decode()


def test_split_and_birth_pages_from_the_household_page(client, family, front_desk, today):
    household, _head, son, wife = family
    client.force_login(front_desk)
    page = client.get(reverse("clients:household_detail", args=[household.pk])).content.decode()
    assert reverse("clients:household_split", args=[household.pk]) in page
    response = client.post(reverse("clients:household_split", args=[household.pk]), {
        "kk_number": "6403050101990003", "address": "Jl. Baru", "rt": "1", "rw": "", "village": household.village_id,
        "kecamatan": household.village.parent_id, "members": [son.pk, wife.pk], "head": son.pk,
        "on": today.isoformat(),
    })
    new = Household.objects.get(kk_number="6403050101990003")
    assert response.status_code == 302 and response.url == reverse("clients:household_detail", args=[new.pk])
    response = client.post(reverse("clients:household_birth", args=[new.pk]), {
        "full_name": "Bayi Andi", "sex": "L", "birth_date": today.isoformat()})
    assert response.status_code == 302
    page = client.get(reverse("clients:household_detail", args=[new.pk])).content.decode()
    assert "Bayi Andi" in page and 'data-testid="member-changes"' in page


def test_desk_officer_cannot_change_a_household(client, family, alice):
    client.force_login(alice)
    assert client.get(reverse("clients:person_death", args=[family[1].pk])).status_code == 403
