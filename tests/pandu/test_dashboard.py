"""The head's dashboard finds exactly the numbers a known dataset has: the paper's Table 1."""

import io

import pytest
from django.urls import reverse

from clients.models import Household, PMKSCategory, Region
from pandu.models import AuditEvent
from tests import factories
from tests.pandu.conftest import TABLE_1


def _indonesian(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@pytest.mark.django_db
def test_the_papers_table_1_is_on_the_page_in_the_xlsx_and_the_pdf_and_opens_its_lists(client, head, table_1):
    """The paper's Table 1 from the data: disabled persons through the structured kinds and
    severity, poor families and KAT in households (KK). One build of the table for every check."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    client.force_login(head)
    page = client.get(reverse("dashboard")).content.decode()
    for key, _label, count in TABLE_1:
        assert f'data-testid="table-one-{key}">{_indonesian(count)}<' in page, key
    assert "<svg" in page
    xlsx = client.get(reverse("dashboard"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = {row[1]: row[2] for row in sheet.iter_rows(values_only=True) if row and len(row) > 2 and row[0] in range(1, 14)}
    assert list(rows.values()) == [count for _key, _label, count in TABLE_1]
    pdf = client.get(reverse("dashboard"), {"export": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
    for _key, label, count in TABLE_1:
        assert label in text and _indonesian(count) in text, label
    assert AuditEvent.objects.filter(action="export", summary__startswith="dashboard").count() == 2

    # Each number opens the list behind it, filtered the same way.
    other = factories.HouseholdFactory(village=Region.objects.get(code="64.03.01.2001"))
    factories.PersonFactory(household=other).pmks_categories.add(PMKSCategory.objects.get(code="KAT"))
    everywhere = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="table-one-KAT">742<' in everywhere
    response = client.get(reverse("drill_households"), {"kecamatan": "64.03.05", "pmks": "KAT"})
    assert 'data-testid="drill-total">741 ' in response.content.decode()
    response = client.get(reverse("drill_persons"), {"disability": "severe"})
    assert 'data-testid="drill-total">36 ' in response.content.decode()
    kelay = client.get(reverse("dashboard"), {"kecamatan": "64.03.01"}).content.decode()
    assert 'data-testid="table-one-KAT">1<' in kelay
    export = client.get(reverse("drill_persons"), {"kecamatan": "64.03.01", "pmks": "KAT", "export": "csv"})
    body = b"".join(export.streaming_content).decode()
    assert body.count("\n") == 2  # header + one person
    assert AuditEvent.objects.filter(action="export", detail__rows=1).exists()


@pytest.mark.django_db
def test_registry_counts_by_source_and_status(client, head, reference_data):
    factories.HouseholdFactory(registry_status="listed", registry_source="PPLS2011", registry_year=2011)
    factories.HouseholdFactory(registry_status="listed", registry_source="DTKS", registry_year=2015)
    factories.HouseholdFactory(registry_status="in_verification")
    client.force_login(head)
    response = client.get(reverse("drill_households"), {"status": "listed", "source": "PPLS2011"})
    assert 'data-testid="drill-total">1 ' in response.content.decode()
    assert Household.objects.count() == 3


@pytest.mark.django_db
def test_exported_names_cannot_run_as_formulas(client, head, reference_data):
    factories.PersonFactory(full_name="=HYPERLINK(\"http://evil\")")
    client.force_login(head)
    export = client.get(reverse("drill_persons"), {"export": "csv"})
    body = b"".join(export.streaming_content).decode()
    assert "'=HYPERLINK" in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["front_desk", "data_officer", "surveyor", "validator"])
def test_other_roles_do_not_see_the_office_dashboard(client, reference_data, role):
    client.force_login(factories.user_with_role(role, username=f"d_{role}"))
    assert client.get(reverse("dashboard")).status_code == 403
    assert client.get(reverse("drill_persons")).status_code == 403


@pytest.mark.django_db
def test_a_period_that_ends_before_it_starts_is_refused_with_a_message(client, head):
    client.force_login(head)
    page = client.get(reverse("dashboard"), {"date_from": "2026-06-01", "date_to": "2026-01-01"}).content.decode()
    assert "text-danger" in page


@pytest.mark.django_db
def test_dashboard_shows_welfare_classes_and_batch_progress(client, head, reference_data):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", "--households", "30", stdout=StringIO())
    from verivali.selectors import dashboard_progress, welfare_class_counts

    classes = {row["code"]: row["count"] for row in welfare_class_counts()}
    assert sum(classes.values()) > 0
    client.force_login(head)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="verivali-section"' in page
    for row in dashboard_progress():
        assert row["batch__name"] in page


# The paper: 263 clients referred to Dinas Pendidikan, 2,594 to Dinas Kesehatan, 41 to Dinas Sosial.
PAPER_REFERRALS = [("DISDIK", "DISDIK-BSM", 263), ("DINKES", "DINKES-BEROBAT", 2594), ("DINSOS", "DINSOS-UEP", 41)]


@pytest.fixture
def paper_referrals(reference_data, front_desk):
    import datetime as dt

    from django.utils import timezone

    from desks.models import Provider, Service
    from referrals.models import Case, Referral

    person = factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))
    case = Case.objects.create(person=person, registry_status="listed", proposed_pathway="listed", pathway="listed",
                               pathway_decided_by=front_desk, created_by=front_desk)
    now = timezone.now()
    sequence = 0
    for provider_code, service_code, count in PAPER_REFERRALS:
        provider, service = Provider.objects.get(code=provider_code), Service.objects.get(code=service_code)
        rows = []
        for _ in range(count):
            sequence += 1
            rows.append(Referral(case=case, service=service, provider=provider, year=now.year, sequence=sequence,
                                 number=f"{sequence:05d}/RJK", status="sent", sent_at=now,
                                 due_on=timezone.localdate() + dt.timedelta(days=service.sla_days), created_by=front_desk))
        Referral.objects.bulk_create(rows)
    return {code: Provider.objects.get(code=code) for code, _s, _n in PAPER_REFERRALS}


@pytest.mark.django_db
def test_dashboard_finds_the_papers_referrals_per_agency_on_the_page_in_xlsx_and_pdf(client, head, paper_referrals):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    client.force_login(head)
    page = client.get(reverse("dashboard")).content.decode()
    for code, _service, count in PAPER_REFERRALS:
        assert f'data-testid="referrals-total-{paper_referrals[code].pk}">{_indonesian(count)}<' in page, code
    xlsx = client.get(reverse("dashboard"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    totals = {row[0]: row[2] for row in sheet.iter_rows(values_only=True) if row and row[0] and len(row) > 2}
    assert totals["Dinas Pendidikan"] == 263 and totals["Dinas Kesehatan"] == 2594 and totals["Dinas Sosial"] == 41
    pdf = client.get(reverse("dashboard"), {"export": "pdf"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "2.594" in text and "263" in text and "Dinas Sosial" in text


@pytest.mark.django_db
def test_an_officer_sees_only_their_own_providers_figures(client, alice, charlie, paper_referrals):
    client.force_login(alice)  # Dinas Kesehatan
    page = client.get(reverse("dashboard")).content.decode()
    assert f'data-testid="referrals-total-{paper_referrals["DINKES"].pk}">2.594<' in page
    assert "Dinas Pendidikan" not in page and "pmks-section" not in page
    listed = client.get(reverse("drill_referrals"), {"provider": paper_referrals["DISDIK"].pk}).content.decode()
    assert 'data-testid="drill-total">0 ' in listed
    client.force_login(charlie)  # Dinas Pendidikan
    page = client.get(reverse("dashboard")).content.decode()
    assert f'data-testid="referrals-total-{paper_referrals["DISDIK"].pk}">263<' in page
    assert "2.594" not in page
    assert client.get(reverse("drill_persons")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["drill_persons", "drill_households", "drill_tickets", "drill_referrals"])
@pytest.mark.parametrize(
    "params",
    [{"desk": "abc"}, {"provider": "²"}, {"service": "x"}, {"status": "\x00"}, {"pmks": "A\x00\x01"},
     {"in_kecamatan": "\x00"}, {"source": "\x00"}, {"anything": "\x00"}],
)
def test_a_tampered_drill_down_filter_gives_a_list_not_a_server_error(client, head, reference_data, name, params):
    """A NUL reached PostgreSQL (a text filter, the audit event's detail) and a word reached an
    id column: both answered 500."""
    client.force_login(head)
    assert client.get(reverse(name), params).status_code == 200
    assert client.get(reverse(name), {**params, "export": "xlsx"}).status_code == 200


@pytest.mark.django_db
def test_the_dashboard_shows_persons_served_pathways_letters_and_the_value_of_the_aid(client, head, front_desk, alice):
    from desks.models import Service
    from referrals import services

    berobat = Service.objects.get(code="DINKES-BEROBAT")
    persons = [factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed")) for _ in range(2)]
    cases = [services.case_open(person=person, pathway="listed", decided_by=front_desk, services=[berobat])
             for person in (*persons, persons[0])]
    services.recommendation_request(person=factories.PersonFactory(), reason="r", assessment="a",
                                    requested_by=front_desk)
    for case, aid in zip(cases, [{"aid_value": 750_000}, {"aid_kind": "in_kind"}, {}], strict=True):
        referral = case.referrals.get()
        for action in ("receive", "accept", "complete"):
            referral = services.referral_transition(referral=referral, action=action, actor=alice, outcome="granted",
                                                    outcome_detail="Obat", **aid)
    client.force_login(head)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="activity-persons">2<' in page and 'data-testid="activity-cases">3<' in page
    assert 'data-testid="pathway-listed">3<' in page and 'data-testid="recommendations-requested">1<' in page
    assert f'data-testid="aid-provider-{berobat.provider_id}">Rp 750.000<' in page
    assert 'data-testid="aid-total-rupiah">Rp 750.000<' in page
    client.force_login(alice)  # the provider's officer: its own grants, not the office's other figures
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="aid-total-rupiah">Rp 750.000<' in page and "activity-section" not in page
