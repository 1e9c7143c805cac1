"""A second office, from an empty database (docs/new-district.md): Kabupaten Kutai Kartanegara's
regions from the national list, its identity, a provider, a service and a desk made in the
Django admin, a ticket, a household and a person with a NIK of the regency, a case and the
referral letter on that office's letterhead."""

import datetime
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from clients.models import Household, Person, Region
from clients.nik import make_nik
from desks.models import Desk, Provider, Service, Ticket
from pandu.models import OfficeIdentity
from referrals.models import Case
from tests import factories

KUKAR = "64.02"
TENGGARONG = "64.02.03"  # kecamatan Tenggarong


def _empty_inlines(client, url_name: str) -> dict:
    """The management forms of an admin add page's inlines (the service's eligibility rule), empty."""
    import re

    page = client.get(reverse(url_name)).content.decode()
    return {name: "0" if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")) else "1000"
            for name in re.findall(r'name="([^"]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"', page)}


def _identity(**overrides):
    data = {
        "name": "UPTD-PTKS Kabupaten Kutai Kartanegara", "address": "Jl. Wolter Monginsidi, Tenggarong",
        "city": "Tenggarong", "agency": "Dinas Sosial", "regency_code": KUKAR,
        "regency_name": "Kabupaten Kutai Kartanegara", "head_name": "Dra. Hj. Aminah", "head_nip": "197001011995032001",
        "ticket_number_format": "{prefix}{seq:03d}",
        "referral_number_format": "{seq:04d}/RJK/KUKAR/{roman_month}/{year}",
        "recommendation_number_format": "{seq:04d}/REK/DINSOS-KUKAR/{year}",
        "complaint_number_format": "ADU-{year}-{seq:04d}", "observes_joint_leave": "on",
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_a_second_regency_from_an_empty_database_to_its_first_referral_letter(empty_database, client):
    out = StringIO()
    call_command("load_reference_data", "--regency", KUKAR, stdout=out)
    assert "No district files for 64.02" in out.getvalue()
    assert Region.objects.filter(level="district", parent__code=KUKAR).count() == 20
    assert Region.objects.filter(level__in=["kelurahan", "kampung"]).count() == 237
    assert not Region.objects.filter(code__startswith="64.03").exists()
    assert not Provider.objects.exists() and not Desk.objects.exists()

    it = factories.user_with_role("admin", username="it_kukar", is_staff=True)
    client.force_login(it)
    response = client.post(reverse("admin:pandu_officeidentity_change", args=[1]), _identity())
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(reverse("admin:desks_provider_add"), {
        "code": "DINSOS", "name": "Dinas Sosial Kutai Kartanegara", "kind": "skpd", "has_office_desk": "on",
        "address": "Tenggarong", "is_active": "on", "services-TOTAL_FORMS": "0", "services-INITIAL_FORMS": "0",
        "services-MIN_NUM_FORMS": "0", "services-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302
    provider = Provider.objects.get(code="DINSOS")
    response = client.post(reverse("admin:desks_service_add"), {
        "provider": provider.pk, "code": "DINSOS-SEMBAKO", "name": "Bantuan sembako", "domain": "social_assistance",
        "sla_days": "5", "required_documents": "KTP\r\nKartu Keluarga\r\n", "accepted_pathways": ["in_verification"],
        "quota": "", "quota_period": "year", "is_active": "on", **_empty_inlines(client, "admin:desks_service_add"),
    })
    assert response.status_code == 302
    service = Service.objects.get(code="DINSOS-SEMBAKO")
    assert (service.required_documents, service.accepted_pathways) == (["KTP", "Kartu Keluarga"], ["in_verification"])
    for code, kind, prefix in (("REG", "registration", "A"), ("DINSOS", "technical", "C")):
        response = client.post(reverse("admin:desks_desk_add"), {
            "code": code, "name": f"Loket {code}", "kind": kind, "ticket_prefix": prefix,
            "provider": provider.pk if kind == "technical" else "", "is_active": "on",
        })
        assert response.status_code == 302

    front_desk = factories.user_with_role("front_desk", username="loket_kukar")
    client.force_login(front_desk)
    client.post(reverse("desks:issue_ticket", args=[Desk.objects.get(code="REG").pk]), {"purpose": "service"})
    ticket = Ticket.objects.get()
    assert ticket.number == "A001"  # the office's own format
    village = Region.objects.filter(parent__code=TENGGARONG).order_by("code").first()
    client.post(reverse("clients:household_create"), {
        "kk_number": "6402031203850001", "address": "Jl. Panjaitan No. 4", "rt": "3", "rw": "1",
        "kecamatan": village.parent.pk, "village": village.pk,
    })
    household = Household.objects.get(kk_number="6402031203850001")
    birth = datetime.date(1984, 2, 9)
    nik = make_nik(kecamatan_code=TENGGARONG, birth_date=birth, sex="P", serial=12)
    client.post(reverse("clients:person_create", args=[household.pk]), {
        "nik": nik, "full_name": "Rusmini", "sex": "P", "birth_place": "Tenggarong", "birth_date": birth.isoformat(),
        "relationship": "head", "confirm_new": "on",
    })
    person = Person.objects.get(nik=nik)
    page = client.get(reverse("clients:person_detail", args=[person.pk])).content.decode()
    assert "UPTD-PTKS Kabupaten Kutai Kartanegara" in page
    assert 'data-testid="nik-other-regency"' not in page  # the office's own regency

    response = client.post(reverse("referrals:case_open", args=[person.pk]), {
        "pathway": "in_verification", "override_reason": "Dilaporkan ke verivali hari ini",
        "services": [service.pk], "ticket": ticket.pk,
    })
    case = Case.objects.get()
    assert response.status_code == 302, response.content.decode()[:3000]
    referral = case.referrals.get()
    assert "/RJK/KUKAR/" in referral.number
    letter = client.get(reverse("referrals:letter", args=[referral.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.content)).pages)
    for shown in ("PEMERINTAH KABUPATEN KUTAI KARTANEGARA", "UPTD-PTKS Kabupaten Kutai Kartanegara",
                  "Jl. Wolter Monginsidi", "Tenggarong,", "Dra. Hj. Aminah", "NIP. 197001011995032001",
                  referral.number, "5 hari kerja"):
        assert shown in text, shown
    assert "Berau" not in text


@pytest.mark.django_db
def test_a_districts_own_files_load_with_the_columns_of_beraus(empty_database, tmp_path):
    (tmp_path / "providers.csv").write_text(
        "code,name,kind,desk_at_office\nDINSOS,Dinas Sosial,skpd,yes\nBAZNAS,Baznas Kutai Kartanegara,partner,no\n")
    (tmp_path / "services.csv").write_text(
        "code,provider_code,domain,name,sla_days,accepted_pathways,quota,required_documents\n"
        "DINSOS-ASLUT,DINSOS,social_assistance,ASLUT,10,listed|recommendation,15,KTP|Kartu Keluarga\n")
    (tmp_path / "desks.csv").write_text(
        "code,name,kind,ticket_prefix,provider_code\nREG,Loket Pendaftaran,registration,A,\n"
        "DINSOS,Loket Dinas Sosial,technical,C,DINSOS\n")
    out = StringIO()
    call_command("load_reference_data", "--regency", KUKAR, "--data-dir", str(tmp_path), stdout=out)
    assert "providers created=2" in out.getvalue() and "desks created=2" in out.getvalue()
    aslut = Service.objects.get(code="DINSOS-ASLUT")
    assert (aslut.sla_days, aslut.quota, aslut.accepted_pathways) == (10, 15, ["listed", "recommendation"])
    assert OfficeIdentity.objects.get().regency_name == "Kabupaten Kutai Kartanegara"
    call_command("load_reference_data", "--data-dir", str(tmp_path), stdout=out)  # the office's regency now
    assert out.getvalue().splitlines()[-1].startswith("regions created=0 updated=0; pmks created=0 updated=0; "
                                                      "providers created=0 updated=0")


@pytest.mark.django_db
def test_a_wrong_row_in_a_districts_file_says_where_and_loads_nothing(empty_database, tmp_path):
    (tmp_path / "providers.csv").write_text("code,name,kind,desk_at_office\nDINSOS,Dinas Sosial,skpd,yes\n")
    (tmp_path / "services.csv").write_text(
        "code,provider_code,domain,name,sla_days,accepted_pathways,quota,required_documents\n"
        "DINSOS-A,DINSOS,social_assistance,A,10,listed,,KTP\nDINSOS-B,DINSOS,social_assistance,B,10,listd,,KTP\n")
    with pytest.raises(CommandError, match="services.csv line 3: accepted_pathways"):
        call_command("load_reference_data", "--regency", KUKAR, "--data-dir", str(tmp_path), stdout=StringIO())
    assert not Provider.objects.exists() and not Region.objects.exists()
    with pytest.raises(CommandError, match=r"64.05 bukan kabupaten atau kota"):  # Kutai Timur is 64.08
        call_command("load_reference_data", "--regency", "64.05", stdout=StringIO())
