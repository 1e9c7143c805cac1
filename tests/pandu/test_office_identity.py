"""The office's identity, set in the admin: letters, pages and numbers follow it; its logo is
re-encoded and served safely; NIK and KK numbers of other regencies are marked, not refused."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from clients import services as client_services
from desks.models import Desk, Service
from desks.services import ticket_issue
from pandu.identity import Office
from pandu.models import OfficeIdentity
from pandu.numbering import NumberFormatValidator
from referrals import services
from referrals.citizen_status import status_find
from tests import factories


@pytest.fixture
def it(reference_data):
    return factories.user_with_role("admin", username="it", is_staff=True)


def _form(**overrides):
    data = {
        "name": "UPTD-PTKS Pandu Gempita Kabupaten Berau", "address": "Jl. Pemuda No. 1, Tanjung Redeb",
        "city": "Tanjung Redeb", "agency": "Dinas Sosial", "regency_code": "64.03", "regency_name": "Kabupaten Berau",
        "head_name": "Drs. Yudi Hartono", "head_nip": "196805121994031005",
        "ticket_number_format": "{prefix}-{seq:03d}", "referral_number_format": "{seq:04d}/RJK/UPTD-PTKS/{roman_month}/{year}",
        "recommendation_number_format": "{seq:04d}/REK/DINSOS/{roman_month}/{year}",
        "complaint_number_format": "PGD-{year}-{seq:04d}", "observes_joint_leave": "on",
    }
    return {**data, **overrides}


def _pdf_text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _png(size=(900, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (200, 30, 30, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_the_admin_opens_the_one_identity_and_cannot_delete_it(client, it):
    client.force_login(it)
    response = client.get(reverse("admin:pandu_officeidentity_changelist"))
    assert response.url == reverse("admin:pandu_officeidentity_change", args=[1])
    assert client.get(reverse("admin:pandu_officeidentity_add")).status_code == 403
    assert client.post(reverse("admin:pandu_officeidentity_delete", args=[1]), {"post": "yes"}).status_code == 403
    assert OfficeIdentity.objects.count() == 1


@pytest.mark.django_db
def test_letters_carry_the_identity_set_in_the_admin(client, it, front_desk, head):
    client.force_login(it)
    assert client.post(reverse("admin:pandu_officeidentity_change", args=[1]), _form()).status_code == 302
    person = factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))
    recommendation = services.recommendation_request(person=person, reason="Sakit", assessment="Miskin",
                                                     requested_by=front_desk)
    recommendation = services.recommendation_decide(recommendation=recommendation, approve=True, decided_by=head)
    client.force_login(head)
    text = _pdf_text(client.get(reverse("referrals:recommendation_letter", args=[recommendation.pk])))
    for shown in ("PEMERINTAH KABUPATEN BERAU", "Bupati Berau", "di Tanjung Redeb",
                  "Kepala Dinas Sosial Kabupaten Berau", "Drs. Yudi Hartono", "NIP. 196805121994031005"):
        assert shown in text, shown
    case = services.case_open(person=person, pathway="listed", decided_by=front_desk,
                              services=[Service.objects.get(code="DINKES-BEROBAT")])
    client.force_login(front_desk)
    text = _pdf_text(client.get(reverse("referrals:letter", args=[case.referrals.get().pk])))
    assert "Mengetahui," in text and "Drs. Yudi Hartono" in text and "3 hari kerja" in text


def test_a_city_addresses_its_mayor():
    fields = dict.fromkeys(Office.__dataclass_fields__, "")
    samarinda = Office(**{**fields, "regency_name": "Kota Samarinda", "agency": "Dinas Sosial", "logo": None,
                          "observes_joint_leave": True})
    assert (samarinda.regent, samarinda.government, samarinda.head_title) == (
        "Wali Kota Samarinda", "PEMERINTAH KOTA SAMARINDA", "Kepala Dinas Sosial Kota Samarinda")


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    [
        ("referral", "{seq:04d}/RJK/{year}", None),
        ("referral", "{seq:04d}/RJK", "missing"),  # next year would repeat this year's numbers
        ("ticket", "{seq:03d}", "missing"),  # two desks would call the same number
        ("referral", "{seq.__class__}/{year}", "field"),
        ("referral", "{seq!r}/{year}", "field"),
        ("referral", "{seq}/rjk/{year}", "text"),
        ("referral", "{seq} {year}", "text"),
        ("ticket", "{prefix}-{seq:03d}-{roman_month}-{year}", "length"),
        ("complaint", "PGD-{year}-{seq:04d", "syntax"),
        ("complaint", "PGD-{year:04d}-{seq}", "width"),
    ],
)
def test_a_number_format_is_checked_before_it_is_used(kind, value, code):
    if code is None:
        NumberFormatValidator(kind)(value)
        return
    with pytest.raises(ValidationError) as refused:
        NumberFormatValidator(kind)(value)
    assert refused.value.code == code


@pytest.mark.django_db
def test_tickets_referrals_and_complaints_take_the_offices_formats(client, it, front_desk):
    client.force_login(it)
    response = client.post(reverse("admin:pandu_officeidentity_change", args=[1]), _form(
        ticket_number_format="{prefix}{seq:03d}", referral_number_format="RJK/{year}/{seq:05d}",
        complaint_number_format="ADU{year}{seq:03d}", recommendation_number_format="{seq}/{month}/{year}"))
    assert response.status_code == 302
    ticket = ticket_issue(desk=Desk.objects.get(code="REG"))
    person = factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))
    case = services.case_open(person=person, pathway="listed", decided_by=front_desk, ticket=ticket,
                              services=[Service.objects.get(code="DINKES-BEROBAT")])
    complaint = client_services.complaint_file(kind="wrong_data", description="Alamat salah", person=person,
                                               received_by=front_desk)
    year = timezone.localdate().year
    assert (ticket.number, case.referrals.get().number, complaint.number) == ("A001", f"RJK/{year}/00001",
                                                                             f"ADU{year}001")
    assert status_find(number="a-001", birth_date=person.birth_date)[1] is not None  # the citizen types it loosely
    response = client.post(reverse("admin:pandu_officeidentity_change", args=[1]),
                           _form(referral_number_format="{seq}/RJK"))
    assert response.status_code == 200 and "Nomor ini memerlukan {year}." in response.content.decode()
    assert OfficeIdentity.objects.get().referral_number_format == "RJK/{year}/{seq:05d}"


@pytest.mark.django_db
def test_the_logo_is_re_encoded_and_served_as_a_png_only(client, it, front_desk):
    client.force_login(it)
    fake = SimpleUploadedFile("logo.png", b"<svg onload='alert(1)'/>", content_type="image/png")
    response = client.post(reverse("admin:pandu_officeidentity_change", args=[1]), {**_form(), "logo": fake})
    assert response.status_code == 200 and not OfficeIdentity.objects.get().logo
    upload = SimpleUploadedFile("lambang.png", _png(), content_type="image/png")
    assert client.post(reverse("admin:pandu_officeidentity_change", args=[1]),
                       {**_form(), "logo": upload}).status_code == 302
    client.logout()
    assert 'data-testid="office-logo"' in client.get(reverse("login")).content.decode()
    response = client.get(reverse("office_logo"))
    served = b"".join(response.streaming_content)
    assert (response.status_code, response["Content-Type"], response["X-Content-Type-Options"]) == (
        200, "image/png", "nosniff")
    assert Image.open(io.BytesIO(served)).size == (600, 200)  # at most 600 pixels a side
    client.force_login(front_desk)
    person = factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))
    case = services.case_open(person=person, pathway="listed", decided_by=front_desk,
                              services=[Service.objects.get(code="DINKES-BEROBAT")])
    letter = client.get(reverse("referrals:letter", args=[case.referrals.get().pk]))
    assert any(page.images for page in PdfReader(io.BytesIO(letter.content)).pages)


@pytest.mark.django_db
def test_without_a_logo_there_is_none_to_fetch(client, reference_data):
    assert client.get(reverse("office_logo")).status_code == 404
    assert 'data-testid="office-logo"' not in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_a_resident_of_another_regency_is_served_and_marked(client, front_desk):
    household = factories.HouseholdFactory(kk_number="6402031203850001")
    outsider = factories.PersonFactory(household=household, nik="6402035202840012")
    resident = factories.PersonFactory(household=household)
    client.force_login(front_desk)
    page = client.get(reverse("clients:person_detail", args=[outsider.pk])).content.decode()
    assert 'data-testid="nik-other-regency"' in page and "(64.02)" in page
    assert 'data-testid="nik-other-regency"' not in client.get(
        reverse("clients:person_detail", args=[resident.pk])).content.decode()
    page = client.get(reverse("clients:household_detail", args=[household.pk])).content.decode()
    assert 'data-testid="kk-other-regency"' in page


@pytest.mark.django_db
def test_only_the_administrators_role_changes_the_identity_and_the_calendar(client, reference_data):
    staff_head = factories.user_with_role("head", username="kepala_staff", is_staff=True)
    client.force_login(staff_head)
    assert client.get(reverse("admin:pandu_officeidentity_change", args=[1])).status_code == 403
    assert client.post(reverse("admin:pandu_officecalendarday_add"),
                       {"day": "2026-11-09", "kind": "closed", "note": "Libur"}).status_code == 403


@pytest.mark.django_db
def test_the_administrator_enters_a_closed_day_next_to_the_national_calendar(client, it):
    client.force_login(it)
    response = client.post(reverse("admin:pandu_officecalendarday_add"),
                           {"day": "2026-09-15", "kind": "closed", "note": "Hari jadi Kabupaten"})
    assert response.status_code == 302
    page = client.get(reverse("admin:pandu_officecalendarday_changelist")).content.decode()
    assert "Hari jadi Kabupaten" in page
    assert 'data-testid="national-days"' in page and "Hari Raya Natal" in page
