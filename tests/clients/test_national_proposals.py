"""The national update cycle: the household changes of a month collected as proposals, shown to
the data officer and exported in the ministry's column layout with who proposed what and why
(the export audited)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from clients import changes
from clients.models import NationalProposal
from clients.proposals import HEADER
from pandu.models import AuditEvent
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


@pytest.fixture
def data_officer(reference_data):
    return factories.user_with_role("data_officer", username="dani", first_name="Dani")


def test_month_of_proposals_is_listed_and_exported_in_the_ministry_layout(client, front_desk, data_officer, today):
    household = factories.HouseholdFactory(national_id="DTKS-0042", decile=2)
    head = factories.PersonFactory(household=household, full_name="Rahmat Hidayat", sex="L")
    son = factories.PersonFactory(household=household, full_name="Andi Hidayat", sex="L", relationship="child")
    other = factories.HouseholdFactory()
    changes.person_move(person=son, to_household=other, relationship="spouse", on=today, changed_by=front_desk)
    changes.person_record_death(person=head, died_on=today, changed_by=front_desk, note="Akta 12/2026")
    last_year = changes.national_proposal_add(kind="correction", cause="merge", person=son, reason="Data ganda",
                                              at=datetime.datetime(2025, 1, 15, tzinfo=datetime.UTC))
    assert last_year.month == datetime.date(2025, 1, 1)

    client.force_login(data_officer)
    page = client.get(reverse("registry:proposals")).content.decode()
    assert "Rahmat Hidayat" in page and "Akta 12/2026" in page and "Data ganda" not in page
    assert "?month=2025-01" in page  # another month with proposals

    response = client.get(reverse("registry:proposals_export"), {"month": today.strftime("%Y-%m"), "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert list(rows[0]) == HEADER
    assert [(r["JENIS_USULAN"], r["ALASAN"], r["NAMA"]) for r in rows] == [
        ("PERBAIKAN", "PINDAH KK", "Andi Hidayat"), ("NONAKTIF", "MENINGGAL", "Rahmat Hidayat")]
    death = rows[1]
    assert (death["ID_DTKS"], death["NO_KK"], death["NIK"], death["DESIL"]) == (
        "DTKS-0042", household.kk_number, head.nik, "2")
    assert death["KETERANGAN"].startswith(f"Died on {today:%d-%m-%Y}.")
    assert death["DIUSULKAN_OLEH"] == front_desk.get_full_name()
    assert AuditEvent.objects.filter(user=data_officer, action="export", summary__contains="2 rows").exists()
    page = client.get(reverse("clients:household_detail", args=[household.pk])).content.decode()
    assert 'data-testid="national-id">DTKS-0042<' in page and 'data-testid="decile">2' in page


def test_a_household_proposal_lists_each_living_member(reference_data, data_officer, client, today):
    household = factories.HouseholdFactory()
    factories.PersonFactory(household=household, full_name="Ibu")
    factories.PersonFactory(household=household, full_name="Anak", relationship="child")
    NationalProposal.objects.create(kind="new", cause="verivali", household=household, reason="SK 1",
                                    month=today.replace(day=1))
    client.force_login(data_officer)
    response = client.get(reverse("registry:proposals_export"), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert sorted(r["NAMA"] for r in rows) == ["Anak", "Ibu"]


def test_front_desk_cannot_open_the_proposals(client, front_desk):
    client.force_login(front_desk)
    assert client.get(reverse("registry:proposals")).status_code == 403
