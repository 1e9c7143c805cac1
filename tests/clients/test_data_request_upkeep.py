"""A person's data request covers the registry upkeep: the dossier holds their former names and
NIKs, their household history, their and their household's programmes and the proposals to the
national registry about them; anonymising waits for those proposals to be exported, then leaves
no name or NIK in any of those tables, and keeps the programmes."""

import datetime
import io
import json
import zipfile
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from clients import changes
from clients.duplicates import merging
from clients.models import (
    DuplicateCandidate,
    Household,
    MemberChange,
    NationalProposal,
    Participation,
    Person,
    PersonMerge,
    Programme,
    RegistryStatus,
)
from clients.nik import make_nik
from clients.programmes import participation_record
from clients.proposals import export_rows, month_start, proposals_of_month
from pandu.audit import audit_record
from pandu.models import AuditEvent
from pandu.office.privacy.dossier import dossier_zip
from pandu.office.privacy.selectors import anonymisation_refusals
from pandu.office.privacy.services import person_anonymise
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]

REASON = "Permintaan tertulis wali, 20-11-2026."


@dataclass
class Baby:
    person: Person
    born_in: Household
    lives_in: Household
    merge: PersonMerge
    old_name: str
    old_nik: str
    own: Participation
    family: Participation


@pytest.fixture
def baby(reference_data, front_desk, data_officer, today) -> Baby:
    """Born into one KK, moved to her grandmother's, registered twice and merged, insured (PBI-JKN,
    her own) and in PKH (her household's)."""
    born_in = factories.HouseholdFactory(registry_status=RegistryStatus.NOT_LISTED)
    lives_in = factories.HouseholdFactory(registry_status=RegistryStatus.NOT_LISTED)
    factories.PersonFactory(household=lives_in, full_name="Nenek Kiyang", birth_date=datetime.date(1950, 1, 1))
    born = today - datetime.timedelta(days=40)
    person = changes.person_record_birth(
        household=born_in, full_name="Nadia Kiyang", sex="P", birth_date=born, changed_by=front_desk,
        nik=make_nik(kecamatan_code="64.03.05", birth_date=born, sex="P", serial=7001),
        note="Lahir di Puskesmas Tanjung Redeb",
    )
    changes.person_move(person=person, to_household=lives_in, relationship="grandchild", on=today,
                        changed_by=front_desk, note="Nadia Kiyang diasuh neneknya")
    twin = factories.PersonFactory(household=None, full_name="Nadia Kiang", birth_date=born, relationship="other")
    low, high = sorted((person, twin), key=lambda p: p.pk)
    candidate = DuplicateCandidate.objects.create(person_a=low, person_b=high, score=90, level="likely",
                                                  reasons=["name_similar"])
    merge = merging.persons_merge(candidate=candidate, survivor=person, choices={}, user=data_officer)
    own = participation_record(programme=Programme.objects.get(code="PBI-JKN"), person=person, starts_on=born,
                               source="PBI NADIA KIYANG")
    family = participation_record(programme=Programme.objects.get(code="PKH"), household=lives_in,
                                  starts_on=datetime.date(2024, 1, 1), source="DINSOS 2026")
    audit_record(user=data_officer, action=AuditEvent.Action.CHANGE, obj=own, summary="checked the PBI list")
    person.refresh_from_db()
    return Baby(person=person, born_in=born_in, lives_in=lives_in, merge=merge, old_name="Nadia Kiang",
                old_nik=twin.nik, own=own, family=family)


def _archive(baby, head) -> tuple[dict, str]:
    with zipfile.ZipFile(io.BytesIO(dossier_zip(baby.person, generated_by=head).read())) as archive:
        return json.loads(archive.read("person.json")), archive.read("README.txt").decode()


def _export_month(client, data_officer, today) -> None:
    client.force_login(data_officer)
    response = client.get(reverse("registry:proposals_export"), {"month": f"{today:%Y-%m}", "format": "csv"})
    assert response.status_code == 200
    b"".join(response.streaming_content)


# --- the dossier ---------------------------------------------------------------------------------


def test_the_dossier_holds_former_names_history_programmes_and_proposals(baby, head, today):
    data, readme = _archive(baby, head)
    assert data["former_names_and_niks"] == [
        {"full_name": "Nadia Kiang", "nik": baby.old_nik, "merged_at": data["former_names_and_niks"][0]["merged_at"]}]
    assert data["former_names_and_niks"][0]["merged_at"].startswith(f"{today:%Y-%m-%d}")
    birth, move = data["household_history"]
    assert (birth["kind"], birth["from_kk_number"], birth["to_kk_number"]) == ("birth", None, baby.born_in.kk_number)
    assert (move["kind"], move["from_kk_number"], move["to_kk_number"]) == (
        "move", baby.born_in.kk_number, baby.lives_in.kk_number)
    assert (move["on"], move["note"]) == (f"{today:%Y-%m-%d}", "Nadia Kiyang diasuh neneknya")
    assert "rina" in move["recorded_by"]
    programmes = {(p["programme"]["code"], p["given_to"], p["source"]) for p in data["programme_participations"]}
    assert programmes == {("PBI-JKN", "person", "PBI NADIA KIYANG"), ("PKH", "household", "DINSOS 2026")}
    proposals = {(p["kind"], p["cause"]) for p in data["national_registry_proposals"]}
    assert proposals == {("new", "birth"), ("correction", "move"), ("correction", "merge")}
    assert all(p["month"] == f"{today:%Y-%m}" and p["proposed_by"] for p in data["national_registry_proposals"])
    assert ("dani", "change", f"clients.participation#{baby.own.pk}") in {
        (e["user"], e["action"], e["object"]) for e in data["audit_events"]}

    for text in ("Former names and NIKs", "Nadia Kiang", baby.old_nik, "Household history", "Born",
                 "Moved to another KK", f"KK {baby.born_in.kk_number} → KK {baby.lives_in.kk_number}",
                 "Nadia Kiyang diasuh neneknya", "Programmes", "PBI-JKN", "PKH · Program Keluarga Harapan",
                 "Proposals to the national registry", "Duplicate records merged", "clients.participation#"):
        assert text in readme, text


def test_a_person_without_upkeep_records_gets_empty_sections(reference_data, head):
    person = factories.PersonFactory(full_name="Rahmat Hidayat")
    with zipfile.ZipFile(io.BytesIO(dossier_zip(person, generated_by=head).read())) as archive:
        data = json.loads(archive.read("person.json"))
        readme = archive.read("README.txt").decode()
    assert [data[key] for key in ("former_names_and_niks", "household_history", "programme_participations",
                                  "national_registry_proposals")] == [[], [], [], []]
    assert "== Household history ==\n—" in readme


# --- anonymising ---------------------------------------------------------------------------------


def test_refused_while_a_proposal_about_the_person_is_not_exported(baby, head, data_officer, client, today):
    refusals = anonymisation_refusals(baby.person)
    assert len(refusals) == 1 and "not been exported" in refusals[0] and f"{today:%Y-%m}" in refusals[0]
    _export_month(client, data_officer, today)
    assert anonymisation_refusals(baby.person) == []
    # A proposal made after the export waits for the next one.
    changes.national_proposal_add(kind="correction", cause="verivali", household=baby.lives_in, reason="SK 1/2026")
    assert len(anonymisation_refusals(baby.person)) == 1


def test_anonymising_leaves_no_name_or_nik_in_the_upkeep_and_keeps_the_programmes(
        baby, head, data_officer, client, today, django_capture_on_commit_callbacks):
    name, nik = baby.person.full_name, baby.person.nik
    _export_month(client, data_officer, today)
    with django_capture_on_commit_callbacks(execute=True):
        person_anonymise(person=baby.person, anonymised_by=head, reason=REASON)

    with connection.cursor() as cursor:
        found = []
        for table in ("clients_personalias", "clients_personmerge", "clients_memberchange",
                      "clients_participation", "clients_nationalproposal", "clients_person"):
            cursor.execute(f'SELECT count(*) FROM "{table}" t WHERE t::text ILIKE %s OR t::text ILIKE %s '
                           "OR t::text LIKE %s OR t::text LIKE %s",
                           [f"%{name}%", f"%{baby.old_name}%", f"%{nik}%", f"%{baby.old_nik}%"])
            if cursor.fetchone()[0]:
                found.append(table)
    assert found == []
    # The programmes stay, without the name in their source.
    own, family = Participation.objects.get(pk=baby.own.pk), Participation.objects.get(pk=baby.family.pk)
    assert (own.person_id, own.programme.code, family.household_id) == (baby.person.pk, "PBI-JKN", baby.lives_in.pk)
    assert "NADIA" not in own.source and family.source == "DINSOS 2026"
    # The history and the proposals keep what happened and when, not where nor the words.
    history = MemberChange.objects.filter(person=baby.person).order_by("on", "pk")
    assert [(c.kind, c.from_household_id, c.to_household_id) for c in history] == [
        ("birth", None, None), ("move", None, None)]
    proposals = NationalProposal.objects.filter(person=baby.person)
    assert sorted(proposals.values_list("cause", flat=True)) == ["birth", "merge", "move"]
    assert not proposals.filter(household__isnull=False).exists()
    assert not PersonMerge.objects.get(pk=baby.merge.pk).merged_record
    # The month exported again leaves the anonymised person's proposals out.
    assert not [row for row in export_rows(proposals_of_month(month_start(today))) if "Anonim" in str(row)]
    # Neither household page lists the anonymised person in its history any more.
    browser = Client()
    browser.force_login(factories.user_with_role("front_desk", username="another"))
    for household in (baby.born_in, baby.lives_in):
        page = browser.get(reverse("clients:household_detail", args=[household.pk])).content.decode()
        assert "Anonim" not in page and "diasuh" not in page


def test_another_members_note_naming_the_person_is_redacted(baby, head, data_officer, client, front_desk, today):
    grandmother = baby.lives_in.members.get(full_name="Nenek Kiyang")
    changes.person_record_death(person=grandmother, died_on=today, changed_by=front_desk,
                                note=f"Cucu {baby.person.full_name} tinggal dengan bibinya")
    _export_month(client, data_officer, today)
    person_anonymise(person=baby.person, anonymised_by=head, reason=REASON)
    death = MemberChange.objects.get(person=grandmother)
    assert "Nadia" not in death.note and death.from_household == baby.lives_in  # another's history keeps its KK
    assert "Nadia" not in NationalProposal.objects.get(person=grandmother).reason


def test_an_undone_merge_forgets_the_anonymised_record(baby, head, data_officer):
    restored = merging.merge_undo(merge=baby.merge, user=data_officer)
    person_anonymise(person=restored, anonymised_by=head, reason=REASON)
    merge = PersonMerge.objects.get(pk=baby.merge.pk)
    assert merge.merged_record == [] and merge.survivor_before[0]["fields"]["full_name"] == "Nadia Kiyang"
