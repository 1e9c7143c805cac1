"""The duplicate check over a registry with planted duplicates of every kind (a person
registered at the desk without NIK and imported with one, a NIK one digit off or with two
digits swapped, one person twice in a KK, names joined or split, old spelling, birth day and
month swapped, a letter missing, a longer name) and decoys (twins, namesakes, two strangers born
the same day in one kecamatan, whose NIK serials follow each other): exactly the
planted pairs, each at its threshold, and no decoy."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from clients.duplicates import scoring
from clients.duplicates.detection import duplicates_check
from clients.models import DuplicateCandidate, Household, Person, Region
from clients.selectors import person_duplicate_candidates
from clients.tasks import duplicates_check_job
from tests import factories

FIXTURE = Path(__file__).parent / "data" / "duplicates.csv"


def plant() -> dict[str, Person]:
    """The fixture's persons, by key; households by the fixture's names."""
    villages = {"V1": Region.objects.get(code="64.03.05.1004")}
    villages["V2"] = Region.objects.filter(level__in=Region.VILLAGE_LEVELS).exclude(code="64.03.05.1004").first()
    households: dict[str, Household] = {}
    persons: dict[str, Person] = {}
    with FIXTURE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            household = households.get(row["household"])
            if household is None:
                household = households[row["household"]] = factories.HouseholdFactory(village=villages[row["village"]])
            persons[row["key"]] = Person.objects.create(
                household=household, nik=row["nik"] or None, no_nik_reason="" if row["nik"] else "Belum punya KTP",
                full_name=row["full_name"], sex=row["sex"], birth_date=datetime.date.fromisoformat(row["birth_date"]),
                relationship=row["relationship"],
            )
    return persons


def expected_pairs(persons) -> dict[frozenset, str]:
    expected = {}
    with FIXTURE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["expected"]:
                level, other = row["expected"].split(":")
                expected[frozenset({persons[row["key"]].pk, persons[other].pk})] = level
    return expected


@pytest.fixture
def planted(reference_data):
    return plant()


@pytest.mark.django_db
def test_the_check_finds_exactly_the_planted_pairs_at_their_thresholds(planted):
    result = duplicates_check()
    found = {frozenset({pair.person_a, pair.person_b}): pair.level for pair in result.found}
    assert found == expected_pairs(planted)
    assert DuplicateCandidate.objects.filter(state="open").count() == len(found) == 9
    decoys = {planted[key].pk for key in planted if key.startswith(("twin", "namesake", "serial_neighbour"))}
    assert not decoys & {pk for pair in found for pk in pair}


@pytest.mark.django_db
def test_the_command_writes_the_pairs_and_counts_them_last(planted, tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    call_command("find_duplicates", "--csv", str(out))
    assert capsys.readouterr().out.strip().splitlines()[-1] == "candidates=9"
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["person_a", "person_b", "score", "reasons"]
    pairs = {frozenset({int(row["person_a"]), int(row["person_b"])}) for row in rows}
    assert pairs == set(expected_pairs(planted))
    joined = next(row for row in rows if int(row["person_a"]) == planted["joined_a"].pk)
    assert "name_joined" in joined["reasons"].split() and int(joined["score"]) < scoring.LIKELY


@pytest.mark.django_db
def test_not_the_same_person_is_never_proposed_again_and_a_second_run_changes_nothing(planted, data_officer):
    duplicates_check()
    pair = DuplicateCandidate.objects.get(person_a=planted["letter_a"])
    pair.state = DuplicateCandidate.State.NOT_SAME
    pair.save()
    later = DuplicateCandidate.objects.get(person_a=planted["partial_a"])
    later.state = DuplicateCandidate.State.LATER
    later.save()
    before = {row["id"]: row for row in DuplicateCandidate.objects.values()}
    result = duplicates_check()
    assert len(result.found) == 8
    assert {row["id"]: row for row in DuplicateCandidate.objects.values()} == before


@pytest.mark.django_db
def test_scoring_rules():
    def record(**fields):
        base = {"id": None, "nik": None, "name_key": "baharudin", "sex": "L", "birth_date": datetime.date(1971, 4, 9),
                "village_id": 1, "household_id": None, "relationship": "head"}
        return scoring.Record(**{**base, **fields})

    assert scoring.nik_near("6403050904710003", "6403050904710008")
    assert scoring.nik_near("6403050904710012", "6403050904710021")
    assert not scoring.nik_near("6403050904710012", "6403050904710210")
    assert scoring.joined_key("abdul rahman saleh") == scoring.joined_key("abdurahman saleh")
    # namesakes: one name, different birth dates
    assert scoring.score(record(), record(birth_date=datetime.date(1980, 1, 1))).level is None
    # two different valid NIKs weigh against
    assert scoring.score(record(nik="6403050904710003"), record(nik="6403050904719999")).level is None


@pytest.mark.django_db
def test_registration_shows_the_scored_candidates(planted, client, front_desk):
    household = factories.HouseholdFactory()
    client.force_login(front_desk)
    data = {"nik": "", "no_nik_reason": "KTP hilang", "full_name": "Abdul Rahman Saleh", "sex": "L",
            "birth_date": "1975-08-20", "relationship": "head"}
    content = client.post(reverse("clients:person_create", args=[household.pk]), data).content.decode()
    assert 'data-testid="candidate-level"' in content
    assert reverse("clients:person_detail", args=[planted["joined_a"].pk]) in content
    # namesakes are not shown
    assert [p.pk for p in person_duplicate_candidates(full_name="Muhammad Rizki", birth_date=datetime.date(1999, 1, 1),
                                                      village=household.village)] == []


@pytest.mark.django_db
def test_an_import_queues_the_check_and_the_job_stores_the_pairs(planted, django_capture_on_commit_callbacks):
    registry_file = Path(__file__).parent / "fixtures" / "registry_dirty.csv"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_registry", str(registry_file), stdout=io.StringIO())
    assert ProcrastinateJob.objects.filter(task_name="clients.tasks.duplicates_check_job").count() == 1
    assert duplicates_check_job().startswith("compared=")
    assert DuplicateCandidate.objects.count() == 9
