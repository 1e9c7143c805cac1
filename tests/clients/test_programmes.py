"""Programme participation: an agency's list imported (its error report, idempotent), a grant
recorded when a referral of a programme's service is completed, and what the family receives
shown on the person page and the person card."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Participation, Programme
from clients.programmes import family_programmes, programme_import, programmes_received
from desks.models import Service
from referrals import services as referral_services
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]
TODAY = datetime.date(2026, 11, 28)


@pytest.fixture
def family(reference_data):
    household = factories.HouseholdFactory(kk_number="6403050101200099", registry_status="listed")
    mother = factories.PersonFactory(household=household, full_name="Siti Aminah")
    child = factories.PersonFactory(household=household, full_name="Budi", sex="L", relationship="child",
                                    birth_date=datetime.date(2015, 4, 4))
    return household, mother, child


def write_list(tmp_path, rows, name="pkh_2026.csv"):
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["NIK", "NO_KK", "PROGRAM", "MULAI", "SELESAI", "SUMBER"])
        writer.writerows(rows)
    return path


def test_list_import_records_valid_rows_reports_the_others_and_is_idempotent(tmp_path, family):
    household, mother, child = family
    path = write_list(tmp_path, [
        ["", household.kk_number, "pkh", "2024-01-01", "", "KEMENSOS"],              # 2 household by KK
        [child.nik, "", "KIP", "01-07-2025", "30-06-2026", "DISDIK"],                # 3 person, ended
        [mother.nik, "", "PBI-JKN", "2023-01-01", "", ""],                           # 4 source = file name
        [mother.nik, household.kk_number, "BANSOS-X", "2024-01-01", "", ""],         # 5 unknown programme
        ["6403050101209999", "", "PKH", "2024-01-01", "", ""],                       # 6 KK number in NIK column
        ["", "6403050101209998", "BPNT", "2024-13-01", "", ""],                      # 7 unknown KK, bad date
        ["", household.kk_number, "PKH", "2024-01-01", "", "KEMENSOS"],              # 8 same as line 2
        ["", household.kk_number, "KIP", "2024-01-01", "", ""],                      # 9 person programme, no NIK
    ])
    result = programme_import(path, today=TODAY)
    assert (result.created, result.updated, len(result.rejected)) == (3, 0, 5)
    report = io.StringIO()
    result.write_errors(report)
    lines = {int(row[0]): row[1] for row in list(csv.reader(io.StringIO(report.getvalue())))[1:]}
    assert sorted(lines) == [5, 6, 7, 8, 9]
    assert lines[5].startswith("PROGRAM: Unknown programme “BANSOS-X”")
    assert lines[6].startswith("NIK: ")
    assert "NO_KK: No household with this KK number" in lines[7] and "MULAI: “2024-13-01” is not a real date." in lines[7]
    assert "same recipient, programme and start as line 2" in lines[8]
    assert "KIP is given to a person: the NIK is needed." in lines[9]
    pkh = Participation.objects.get(programme__code="PKH")
    assert (pkh.household, pkh.person, pkh.source) == (household, None, "KEMENSOS")
    assert Participation.objects.get(programme__code="PBI-JKN").source == "PKH_2026"

    again = programme_import(path, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Participation.objects.count() == 3


def test_a_later_list_ends_a_participation(tmp_path, family):
    household = family[0]
    programme_import(write_list(tmp_path, [["", household.kk_number, "PKH", "2024-01-01", "", "KEMENSOS"]]))
    later = programme_import(write_list(tmp_path, [["", household.kk_number, "PKH", "2024-01-01", "2025-12-31",
                                                    "KEMENSOS"]], name="pkh_2027.csv"), as_of=TODAY)
    assert later.updated == 1
    assert Participation.objects.get().ends_on == datetime.date(2025, 12, 31)
    assert not family_programmes(household=household).exists()


def test_command_writes_the_error_report_and_its_summary(tmp_path, family):
    path = write_list(tmp_path, [["", family[0].kk_number, "PKH", "2024-01-01", "", ""], ["", "", "PKH", "", "", ""]])
    out = io.StringIO()
    call_command("import_programmes", str(path), "--errors", str(tmp_path / "errors.csv"), stdout=out)
    assert out.getvalue().splitlines()[-1] == "participations created=1 updated=0 unchanged=0; rejected=1"
    assert "MULAI: Enter the date." in (tmp_path / "errors.csv").read_text()


def test_a_grant_of_a_programme_service_records_the_family_in_it(family, front_desk, alice, today):
    household, mother, _child = family
    service = Service.objects.get(code="DINKES-BEROBAT")
    service.participation_programme = Programme.objects.get(code="PBI-JKN")
    service.save()
    referral = referral_services.case_open(person=mother, pathway="listed", decided_by=front_desk,
                                           services=[service]).referrals.get()
    for action in ("receive", "accept"):
        referral_services.referral_transition(referral=referral, action=action, actor=alice)
    referral_services.referral_transition(referral=referral, action="complete", actor=alice, outcome="granted",
                                          outcome_detail="Terdaftar PBI")
    participation = Participation.objects.get()
    assert (participation.person, participation.starts_on, participation.referral_id) == (mother, today, referral.pk)
    assert participation.source == referral.number


def test_person_page_and_card_show_what_the_family_receives(client, family, front_desk):
    household, mother, child = family
    Participation.objects.create(programme=Programme.objects.get(code="PKH"), household=household,
                                 starts_on=datetime.date(2024, 1, 1), source="KEMENSOS", as_of=TODAY)
    Participation.objects.create(programme=Programme.objects.get(code="KIP"), person=child,
                                 starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1),
                                 source="DISDIK", as_of=TODAY)
    client.force_login(front_desk)
    page = client.get(reverse("clients:person_detail", args=[mother.pk])).content.decode()
    assert "Program Keluarga Harapan" in page and "KIP" not in page  # KIP ended
    card = client.get(reverse("referrals:case_open", args=[mother.pk])).content.decode()
    assert 'data-testid="card-programmes"' in card and ">PKH<" in card


def test_what_the_family_receives_is_read_from_the_participations_indexes_alone(family):
    """A county's lists hold hundreds of thousands of participations: the family's and its
    members' are found through the household and person indexes, never by reading them all
    (a join to the persons inside the OR read every one: 0.5 s a person page at 300,000)."""
    household, mother, child = family
    pkh, kip = Programme.objects.get(code="PKH"), Programme.objects.get(code="KIP")
    Participation.objects.create(programme=pkh, household=household, starts_on=datetime.date(2024, 1, 1),
                                 source="KEMENSOS", as_of=TODAY)
    Participation.objects.create(programme=kip, person=child, starts_on=datetime.date(2024, 1, 1),
                                 source="DISDIK", as_of=TODAY)
    # other families' participations, many, as a district's lists give
    neighbour = factories.PersonFactory(household=factories.HouseholdFactory())
    with connection.cursor() as cursor:
        for column, value in (("person_id", neighbour.pk), ("household_id", neighbour.household_id)):
            cursor.execute(
                f"INSERT INTO clients_participation (created_at, updated_at, programme_id, {column}, starts_on,"
                " ends_on, source, as_of) SELECT now(), now(), %s, %s, DATE '2000-01-01' + g, DATE '2000-01-01' + g,"
                " 'x', %s FROM generate_series(1, 3000) g", [kip.pk, value, TODAY])
    for find in (lambda: list(family_programmes(household=household)), lambda: programmes_received(mother)):
        with CaptureQueriesContext(connection) as queries:
            find()
        sql = next(q["sql"] for q in queries.captured_queries if "FROM \"clients_participation\"" in q["sql"])
        with transaction.atomic(), connection.cursor() as cursor:
            # the planner's row counts from these rows, not from what earlier tests left in pg_class
            cursor.execute("ANALYZE clients_participation, clients_person, clients_programme")
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        conditions = [line for line in plan.splitlines() if "Index Cond" in line]
        assert any("household_id =" in line for line in conditions), plan
        assert any("person_id =" in line for line in conditions), plan
    assert {p.programme for p in family_programmes(household=household)} == {pkh, kip}
    assert programmes_received(mother) == {pkh.pk}  # a household programme; the child's KIP is his own


def test_data_officer_checks_then_imports_a_list_in_the_browser(client, tmp_path, family):
    officer = factories.user_with_role("data_officer", username="dani")
    path = write_list(tmp_path, [["", family[0].kk_number, "PKH", "2024-01-01", "", "KEMENSOS"],
                                 ["", "", "PKH", "2024-01-01", "", ""]])
    client.force_login(officer)
    with open(path, "rb") as handle:
        page = client.post(reverse("registry:programme_lists"), {"file": handle, "check": "1"}).content.decode()
    assert "created=1" in page and 'data-testid="error-report"' in page and not Participation.objects.exists()
    with open(path, "rb") as handle:
        client.post(reverse("registry:programme_lists"), {"file": handle, "import": "1"})
    assert Participation.objects.get().source == "KEMENSOS"
