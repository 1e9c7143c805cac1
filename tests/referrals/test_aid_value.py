"""A grant records what it was worth: its value in rupiah, or that it was given in kind; the office
totals the aid per provider, service, programme, kecamatan and month."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from desks.models import Service
from pandu.office.selectors import aid_totals
from referrals import services
from referrals.models import Referral
from tests import factories

WITA = zoneinfo.ZoneInfo("Asia/Makassar")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "value", "kind", "stored"),
    [
        ("granted", 1_500_000, "", ("money", 1_500_000)),
        ("granted", 1_500_000, "money", ("money", 1_500_000)),
        ("granted", None, "in_kind", ("in_kind", None)),
        ("granted", None, "", ("", None)),  # an agency's system that says nothing of the value
        ("granted", 500, "in_kind", "no value in rupiah"),
        ("granted", None, "money", "value of the aid in rupiah"),
        ("not_granted", 100, "", "granted outcome only"),
        ("not_granted", None, "in_kind", "granted outcome only"),
    ],
)
def test_completing_records_what_the_grant_was_worth(make_referral, alice, outcome, value, kind, stored):
    referral = make_referral(status="accepted")
    call = {"referral": referral, "action": "complete", "actor": alice, "outcome": outcome,
            "outcome_detail": "Kursi roda", "aid_value": value, "aid_kind": kind}
    if isinstance(stored, str):
        with pytest.raises(ValidationError, match=stored):
            services.referral_transition(**call)
        referral.refresh_from_db()
        assert referral.status == "accepted"
        return
    referral = services.referral_transition(**call)
    assert (referral.aid_kind, referral.aid_value) == stored


@pytest.mark.django_db
def test_the_officers_form_asks_how_a_grant_was_given(client, make_referral, alice):
    referral = make_referral(status="accepted")
    client.force_login(alice)
    url = reverse("referrals:action", args=[referral.pk, "complete"])
    page = client.post(url, {"outcome": "granted", "outcome_detail": "Kursi roda", "aid_kind": "money"}, follow=True)
    assert "Type the value of the aid in rupiah, or choose in kind." in page.content.decode()
    referral.refresh_from_db()
    assert referral.status == "accepted"
    client.post(url, {"outcome": "granted", "outcome_detail": "Kursi roda", "aid_kind": "in_kind"})
    referral.refresh_from_db()
    assert (referral.status, referral.aid_kind, referral.aid_value) == ("completed", "in_kind", None)
    other = make_referral(status="accepted")
    client.post(reverse("referrals:action", args=[other.pk, "complete"]),
                {"outcome": "not_granted", "outcome_detail": "Kuota habis", "aid_kind": "money"})
    other.refresh_from_db()
    assert (other.status, other.aid_kind) == ("completed", "")


@pytest.mark.django_db
def test_the_aid_is_totalled_per_provider_service_programme_kecamatan_and_month(reference_data, front_desk):
    made = datetime.datetime(2026, 9, 1, 10, tzinfo=WITA)
    people = [factories.PersonFactory(household=factories.HouseholdFactory(village=factories.village(code),
                                                                           registry_status="listed"))
              for code in ("64.03.05.1004", "64.03.06.2001")]
    grants = [  # service, person, value or kind, completed (WITA)
        ("DINSOS-UEP", 0, 2_500_000, (2026, 9, 30, 23, 50)),
        ("DINSOS-ASLUT", 1, 600_000, (2026, 10, 1, 0, 10)),
        ("BAZNAS-MAKMUR", 0, "in_kind", (2026, 10, 15, 9, 0)),
        ("BAZNAS-MAKMUR", 1, 5_000_000, (2026, 10, 16, 9, 0)),
        ("BERAUCOAL-OBAT", 1, "", (2026, 10, 31, 23, 59)),
        ("BERAUCOAL-RTLH", 0, 12_000_000, (2026, 11, 1, 0, 0)),
    ]
    for sequence, (code, who, value, closed) in enumerate(grants, start=1):
        service = Service.objects.get(code=code)
        case = services.case_open(person=people[who], pathway="listed", decided_by=front_desk, services=[], needs=[
            services.NeedInput("health", "x", handled_note="dicatat")], at=made)
        Referral.objects.create(
            case=case, service=service, provider=service.provider, year=2026, sequence=sequence,
            number=f"{sequence}/A", status="completed", outcome="granted", outcome_detail="x", sent_at=made,
            due_on=made.date(), created_by=front_desk, closed_at=datetime.datetime(*closed, tzinfo=WITA),
            aid_kind="money" if isinstance(value, int) else value, aid_value=value if isinstance(value, int) else None)
    october = {"date_from": datetime.date(2026, 10, 1), "date_to": datetime.date(2026, 10, 31)}
    by_provider = {row["name"]: row for row in aid_totals(**october, by="provider")}
    assert {name: (row["grants"], row["rupiah"], row["in_kind"], row["not_stated"]) for name, row in by_provider.items()} == {
        "Dinas Sosial": (1, 600_000, 0, 0),
        "Baznas Kabupaten Berau": (2, 5_000_000, 1, 0),
        "PT Berau Coal (CSR)": (1, 0, 0, 1),
    }
    by_programme = {row["name"]: row["rupiah"] for row in aid_totals(**october, by="programme")}
    assert by_programme == {"ASLUT": 600_000, "Baznas Berau Makmur": 5_000_000, "CSR Berau Coal": 0}
    by_service = {row["name"]: row["grants"] for row in aid_totals(**october, by="service")}
    assert by_service["Berau Makmur (sentra ternak/tani dan modal usaha)"] == 2
    by_kecamatan = {row["name"]: row["rupiah"] for row in aid_totals(**october, by="kecamatan")}
    assert by_kecamatan == {"TANJUNG REDEB": 0, "GUNUNG TABUR": 5_600_000}
    by_month = aid_totals(date_from=datetime.date(2026, 9, 1), date_to=datetime.date(2026, 11, 30), by="month")
    assert [(row["name"], row["grants"], row["rupiah"]) for row in by_month] == [
        ("2026-09", 1, 2_500_000), ("2026-10", 4, 5_600_000), ("2026-11", 1, 12_000_000)]
