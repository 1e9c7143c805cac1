"""Merging two records of one person and undoing it: every related record of every table moves
to the survivor and back; search finds the survivor by the other record's name and NIK; the
registry history and the audit log say who did it; the review pages are the data officer's."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.changes import national_proposal_add
from clients.duplicates import merging
from clients.models import (
    DuplicateCandidate,
    MemberChange,
    NationalProposal,
    Participation,
    Person,
    PersonAlias,
    PersonMerge,
    Programme,
    RegistryChange,
)
from clients.selectors import person_search
from pandu.models import AuditEvent
from pandu.office.privacy.services import person_anonymise
from referrals import services as referral_services
from tests import factories
from verivali.models import MemberCheck, SplitHousehold, SplitMember

# Relations to Person that a merge does not move: the review queue's own pairs.
NOT_MOVED = {("clients.DuplicateCandidate", "person_a"), ("clients.DuplicateCandidate", "person_b")}


def _candidate(first: Person, second: Person, **fields) -> DuplicateCandidate:
    low, high = sorted((first, second), key=lambda person: person.pk)
    return DuplicateCandidate.objects.create(person_a=low, person_b=high, score=fields.pop("score", 80),
                                             level=fields.pop("level", "likely"), reasons=["name_equal"], **fields)


def _related(person_pk: int) -> dict[tuple[str, str], set[int]]:
    return {
        (model._meta.label, field): set(model.objects.filter(**{model._meta.get_field(field).attname: person_pk})
                                        .values_list("pk", flat=True))
        for model, field in merging.moved_relations()
    }


@pytest.fixture
def pair(subject, data_officer, front_desk):
    """The subject (photo, PMKS, complaint, visit, case and referral, verivali survey) with a
    recommendation request and an earlier merge into it, and a second record of her registered
    at the desk without NIK under an older spelling."""
    other = subject.person
    referral_services.recommendation_request(person=other, reason="Biaya operasi", assessment="Tidak mampu",
                                             requested_by=front_desk)
    earlier = factories.PersonFactory(full_name="Johana Lawing", household=subject.household, nik=None,
                                      no_nik_reason="KTP hilang", birth_date=other.birth_date)
    merging.persons_merge(candidate=_candidate(earlier, other), survivor=other, choices={}, user=data_officer)
    MemberCheck.objects.create(assessment=subject.assessment, person=other, full_name=other.full_name)
    split = SplitHousehold.objects.create(assessment=subject.assessment, kk_number="6403050101990009", head=other)
    SplitMember.objects.create(split=split, person=other)
    MemberChange.objects.create(person=other, kind="birth", to_household=other.household, on=other.birth_date)
    Participation.objects.create(programme=Programme.objects.get(code="PKH"), household=other.household, person=other,
                                 starts_on=datetime.date(2025, 1, 1), source="Dinsos", as_of=datetime.date(2025, 1, 1))
    national_proposal_add(kind="correction", cause="move", reason="Pindah KK", person=other, proposed_by=data_officer)
    survivor = factories.PersonFactory(full_name="Yohana Lawing Anyeq", nik=None, no_nik_reason="Belum rekam KTP",
                                       birth_date=other.birth_date, phone="")
    other.refresh_from_db()
    return survivor, other, _candidate(survivor, other)


def test_every_relation_to_a_person_is_moved_by_a_merge():
    relations = {(r.related_model._meta.label, r.field.name) for r in Person._meta.related_objects}
    hidden = {(label, field) for label, field in NOT_MOVED | {("clients.PersonMerge", "survivor")}}
    moved = {(model._meta.label, field) for model, field in merging.moved_relations()}
    assert relations | hidden == moved | NOT_MOVED
    assert {(model._meta.label, field) for model, field in merging.person_relations()} == moved | NOT_MOVED


@pytest.mark.django_db
def test_a_merge_and_its_undo_leave_every_related_record_where_it_belongs(pair, data_officer):
    survivor, other, candidate = pair
    other_pk, other_nik, other_name, other_photo = other.pk, other.nik, other.full_name, other.photo.name
    of_other, of_survivor = _related(other.pk), _related(survivor.pk)
    assert all(of_other.values()), "every table holds a record of the merged person"

    merge = merging.persons_merge(candidate=candidate, survivor=survivor, user=data_officer,
                                  choices={"nik": "other", "photo": "other", "phone": "other", "household": "other"})

    assert not Person.objects.filter(pk=other_pk).exists()
    survivor.refresh_from_db()
    assert (survivor.nik, survivor.no_nik_reason, survivor.photo.name) == (other_nik, "", other_photo)
    assert survivor.full_name == "Yohana Lawing Anyeq" and survivor.household_id == other.household_id
    assert set(survivor.pmks_categories.values_list("code", flat=True)) >= set(
        other.pmks_categories.values_list("code", flat=True))
    after = _related(survivor.pk)
    for key, ids in of_other.items():
        assert ids | of_survivor[key] <= after[key], f"{key} not moved"
    assert [p.pk for p in person_search(query=other_name)][:1] == [survivor.pk]
    assert [p.pk for p in person_search(query="Johana Lawing")][:1] == [survivor.pk]
    assert [p.pk for p in person_search(query=other_nik)] == [survivor.pk]
    assert RegistryChange.objects.filter(reference=f"merge #{merge.pk}", household=survivor.household).exists()
    assert AuditEvent.objects.filter(object_id=str(survivor.pk), summary=f"merged person {other_pk} into {survivor.pk}",
                                     user=data_officer).exists()
    proposal = NationalProposal.objects.get(cause="merge", person=survivor, reason__contains=f"#{other_pk} ke")
    assert (proposal.kind, proposal.proposed_by) == ("correction", data_officer)

    restored = merging.merge_undo(merge=merge, user=data_officer)

    assert restored.pk == other_pk and (restored.nik, restored.full_name, restored.photo.name) == (
        other_nik, other_name, other_photo)
    survivor.refresh_from_db()
    assert (survivor.nik, survivor.photo.name, survivor.household_id) == (None, "", pair[0].household_id)
    for key, ids in _related(other_pk).items():
        assert ids == of_other[key], f"{key} not put back"
    for key, ids in _related(survivor.pk).items():
        assert ids - {merge.pk if key[0] == "clients.PersonMerge" else None} == of_survivor[key], f"{key} not put back"
    assert DuplicateCandidate.objects.filter(person_a=candidate.person_a, person_b=candidate.person_b,
                                             state="open").exists()
    assert not PersonAlias.objects.filter(merge=merge).exists()
    assert not NationalProposal.objects.filter(cause="merge", reason__contains=f"#{other_pk} ke").exists()
    assert NationalProposal.objects.get(cause="move").person_id == other_pk
    assert [p.pk for p in person_search(query=other_nik)] == [other_pk]
    with pytest.raises(ValidationError):
        merging.merge_undo(merge=merge, user=data_officer)


@pytest.mark.django_db
def test_a_merge_older_than_thirty_days_cannot_be_undone(pair, data_officer):
    survivor, other, candidate = pair
    merge = merging.persons_merge(candidate=candidate, survivor=survivor, choices={}, user=data_officer)
    PersonMerge.objects.filter(pk=merge.pk).update(merged_at=timezone.now() - datetime.timedelta(days=31))
    merge.refresh_from_db()
    with pytest.raises(ValidationError, match="30"):
        merging.merge_undo(merge=merge, user=data_officer)


@pytest.mark.django_db
def test_the_data_officer_reviews_merges_and_undoes_in_the_pages(pair, client, data_officer):
    survivor, other, candidate = pair
    client.force_login(data_officer)
    listing = client.get(reverse("duplicates:list")).content.decode()
    assert reverse("duplicates:detail", args=[candidate.pk]) in listing
    page = client.get(reverse("duplicates:detail", args=[candidate.pk])).content.decode()
    assert 'data-testid="differs-nik"' in page and 'data-testid="differs-sex"' not in page
    assert AuditEvent.objects.filter(action="view_person", object_id=str(other.pk), summary="duplicate review").exists()
    keep = "a" if survivor.pk == candidate.person_a_id else "b"
    other_side = "b" if keep == "a" else "a"
    response = client.post(reverse("duplicates:detail", args=[candidate.pk]),
                           {"keep": keep, "nik": other_side, "full_name": keep, "photo": other_side})
    assert response.status_code == 302 and response.url == reverse("clients:person_detail", args=[survivor.pk])
    survivor.refresh_from_db()
    assert survivor.nik == other.nik
    person_page = client.get(response.url).content.decode()
    assert 'data-testid="aliases"' in person_page and "Johana Lawing" in person_page
    merge = PersonMerge.objects.get(merged_id=other.pk)
    assert "Yohana Lawing" in client.get(reverse("duplicates:merges")).content.decode()
    response = client.post(reverse("duplicates:undo", args=[merge.pk]))
    assert response.url == reverse("clients:person_detail", args=[other.pk])
    assert Person.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_not_the_same_person_and_later_leave_the_queue(pair, client, data_officer):
    _survivor, _other, candidate = pair
    client.force_login(data_officer)
    client.post(reverse("duplicates:decide", args=[candidate.pk]), {"state": "later"})
    candidate.refresh_from_db()
    assert candidate.state == "later"
    assert reverse("duplicates:detail", args=[candidate.pk]) not in client.get(reverse("duplicates:list")).content.decode()
    assert reverse("duplicates:detail", args=[candidate.pk]) in client.get(
        reverse("duplicates:list") + "?later=on").content.decode()
    client.post(reverse("duplicates:decide", args=[candidate.pk]), {"state": "not_same"})
    candidate.refresh_from_db()
    assert (candidate.state, candidate.decided_by) == ("not_same", data_officer)
    assert client.get(reverse("duplicates:detail", args=[candidate.pk])).status_code == 404


@pytest.mark.django_db
def test_the_queue_has_an_empty_state_and_is_the_data_officers_alone(client, data_officer, front_desk, head):
    client.force_login(data_officer)
    assert 'data-testid="no-candidates"' in client.get(reverse("duplicates:list")).content.decode()
    for user in (front_desk, head):
        client.force_login(user)
        assert client.get(reverse("duplicates:list")).status_code == 403


@pytest.mark.django_db
def test_anonymising_the_survivor_forgets_its_former_names_and_the_merge_data(reference_data, data_officer, head,
                                                                               client):
    survivor = factories.PersonFactory(full_name="Markus Ding", nik=None, no_nik_reason="KTP hilang")
    other = factories.PersonFactory(full_name="Markus Ding Lawing")
    candidate = _candidate(survivor, other)
    merge = merging.persons_merge(candidate=candidate, survivor=survivor, choices={}, user=data_officer)
    client.force_login(data_officer)  # the merge's proposal to the national registry leaves first
    client.get(reverse("registry:proposals_export"), {"month": f"{timezone.localdate(merge.merged_at):%Y-%m}"})
    person_anonymise(person=survivor, anonymised_by=head, reason="Permintaan subjek data, UU 27/2022 pasal 8")
    assert not PersonAlias.objects.filter(person=survivor).exists()
    merge.refresh_from_db()
    assert (merge.merged_record, merge.can_undo) == ([], False)
    assert person_search(query=other.nik) == []
    with pytest.raises(ValidationError, match="dianonimkan"):  # "anonymised", in the office's language
        merging.merge_undo(merge=merge, user=data_officer)
