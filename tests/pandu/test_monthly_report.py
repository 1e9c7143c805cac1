"""The monthly report: every figure equals a plain count of the same rows, for two months with
rows on their WITA boundaries; the previous-month and previous-year columns are those months'
figures; an approved report never changes."""

from __future__ import annotations

import datetime
import io
import json
import random
import statistics

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from clients.models import Complaint, Household, Person
from desks import services as desk_services
from desks.models import Desk, Service, Ticket
from pandu.models import AuditEvent
from pandu.office import monthly, reports
from pandu.office.models import MonthlyReport
from referrals.models import Case, Recommendation, Referral, ReferralEvent
from tests import factories
from tests.pandu.conftest import TABLE_1
from verivali.models import Assessment, Batch

TODAY = timezone.localdate()
M1 = monthly.shift_months(TODAY.replace(day=1), -1)  # last month: the report's month
M0 = monthly.shift_months(M1, -1)  # the month before
Y1 = monthly.shift_months(M1, -12)  # the same month a year earlier
OPEN = ("sent", "received", "accepted", "returned")


def _at(day: datetime.date, hour: int, minute: int = 30) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _moments() -> list[datetime.datetime]:
    """Times on both sides of each month's edges in WITA (00:10 and 23:50 the office's time are
    16:10 and 15:50 UTC of the day before and the same day), and inside each month."""
    moments = []
    for month in (Y1, M0, M1):
        last = monthly.month_end(month)
        moments += [_at(month, 0, 10), _at(month, 7), _at(month + datetime.timedelta(days=9), 13),
                    _at(last, 23, 50), _at(last, 16, 5)]
    moments += [_at(Y1 - datetime.timedelta(days=1), 23, 50), _at(TODAY.replace(day=1), 0, 10)]
    return [moment for moment in moments if moment <= timezone.now()]


def _local(moment) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


def _in(moment, month) -> bool:
    return moment is not None and month <= _local(moment) <= monthly.month_end(month)


@pytest.fixture
def office(reference_data, front_desk, head):
    """Rows of every kind the report counts, at the moments around the months' edges."""
    rng = random.Random(21)
    moments = _moments()
    registration = Desk.objects.get(code="REG")
    services = list(Service.objects.select_related("provider").filter(
        code__in=["DINKES-BEROBAT", "DISDIK-BSM", "BAZNAS-MAKMUR", "DINSOS-ASLUT"]))
    persons = []
    for index, moment in enumerate(moments):
        household = factories.HouseholdFactory(village=factories.village(("64.03.05.1004", "64.03.06.2001")[index % 2]))
        person = factories.PersonFactory(household=household)
        Household.objects.filter(pk=household.pk).update(created_at=moment)
        Person.objects.filter(pk=person.pk).update(created_at=moment)
        persons.append(person)
        ticket = desk_services.ticket_issue(desk=registration)
        Ticket.objects.filter(pk=ticket.pk).update(issued_on=_local(moment), person=person if index % 3 else None)
    sequence = 0
    for index, moment in enumerate(moments):
        person = persons[index]
        for round_ in range(2):
            pathway = ("listed", "in_verification", "recommendation")[(index + round_) % 3]
            recommendation = None
            if pathway == "recommendation":
                recommendation = Recommendation.objects.create(
                    person=person, reason="r", assessment="a", requested_by=front_desk, status="approved",
                    decided_by=head, decided_at=moments[(index + 1) % len(moments)], number=f"REK/{index}/{round_}")
                Recommendation.objects.filter(pk=recommendation.pk).update(created_at=moment)
            closed_at = moments[(index + round_ + 2) % len(moments)] if (index + round_) % 2 else None
            case = Case.objects.create(
                person=persons[(index + round_) % len(persons)], registry_status="listed", proposed_pathway=pathway,
                pathway=pathway, recommendation=recommendation, pathway_decided_by=front_desk, created_by=front_desk,
                status="closed" if closed_at else "open", closed_at=closed_at,
                closure_reason=rng.choice(["all_met", "referred_out", "withdrew", "unreachable"]) if closed_at else "")
            Case.objects.filter(pk=case.pk).update(created_at=moment)
            for service in services:
                sequence += 1
                status = rng.choice(["waiting", *OPEN, "completed", "completed", "completed", "rejected", "cancelled"])
                sent = moment if status != "waiting" else None
                closed = (moment + datetime.timedelta(days=rng.randrange(0, 40), hours=rng.randrange(24))
                          if status in ("completed", "rejected", "cancelled") else None)
                closed = min(closed, timezone.now()) if closed else None
                outcome = rng.choice(["granted", "granted", "not_granted"]) if status == "completed" else ""
                kind = rng.choice(["money", "in_kind", ""]) if outcome == "granted" else ""
                referral = Referral.objects.create(
                    case=case, service=service, provider=service.provider, year=2026, sequence=sequence,
                    number=f"{sequence:05d}/T", status=status, created_by=front_desk,
                    due_on=moment.date() + datetime.timedelta(days=service.sla_days) if sent else None,
                    sent_at=sent, waitlisted_at=moment if status == "waiting" else None, outcome=outcome,
                    outcome_detail="x" if outcome else "", aid_kind=kind,
                    aid_value=rng.choice([250_000, 1_500_000, 4_000_000]) if kind == "money" else None,
                    closed_at=closed)
                Referral.objects.filter(pk=referral.pk).update(created_at=moment)
                if status in ("completed", "rejected"):
                    channel = rng.choice(["app", "office", "api", "reply_slip"])
                    ReferralEvent.objects.create(referral=referral, at=closed, action="complete", to_status=status,
                                                 channel=channel)
                    Referral.objects.filter(pk=referral.pk).update(answer_channel=channel)
                if service.code == "DINSOS-ASLUT" and status != "waiting" and index % 2:
                    Referral.objects.filter(pk=referral.pk).update(waitlisted_at=moment - datetime.timedelta(days=3))
                    ReferralEvent.objects.create(referral=referral, at=moment, action="promote", to_status="sent",
                                                 channel="system")
    for index, moment in enumerate(moments):
        complaint = client_services.complaint_file(kind="wrong_data", description="Nama salah", received_by=front_desk,
                                                   person=persons[index])
        resolved = moments[(index + 2) % len(moments)] if index % 3 else None
        if resolved and resolved < moment:
            resolved = None
        Complaint.objects.filter(pk=complaint.pk).update(
            created_at=moment, due_on=_local(moment) + datetime.timedelta(days=rng.choice([3, 20, 45])),
            status=rng.choice(["resolved", "rejected"]) if resolved else "open", resolved_at=resolved)
    batch = Batch.objects.create(name="Verivali uji", code="VV-UJI", period_start=Y1, period_end=M1,
                                 status="approved", decree_number="188.45/77/2026", decree_date=_local(moments[-3]),
                                 approved_at=moments[-3], approved_by=head)
    for index, moment in enumerate(moments):
        assessment = Assessment.objects.create(batch=batch, household=persons[index].household)
        Assessment.objects.filter(pk=assessment.pk).update(
            submitted_at=moment, validated_at=moments[(index + 1) % len(moments)],
            approved_at=moments[-3] if index % 2 else None)
    return services


def _plain_referrals(month) -> dict[str, dict]:
    per: dict[str, dict] = {}
    for r in Referral.objects.all():
        if not _in(r.created_at, month):
            continue
        row = per.setdefault(str(r.provider_id), {"total": 0, "completed": 0, "granted": 0, "rejected": 0,
                                                  "returned": 0, "cancelled": 0, "waiting": 0, "open": 0,
                                                  "within": 0, "days": []})
        row["total"] += 1
        row["waiting"] += r.status == "waiting"
        row["open"] += r.status in OPEN
        for status in ("completed", "rejected", "returned", "cancelled"):
            row[status] += r.status == status
        if r.status == "completed":
            row["granted"] += r.outcome == "granted"
            row["within"] += _local(r.closed_at) <= r.due_on
            row["days"].append((timezone.localtime(r.closed_at).date() - timezone.localtime(r.sent_at).date()).days)
    return per


def _plain_aid(month, key) -> dict[str, dict]:
    per: dict[str, dict] = {}
    for r in Referral.objects.select_related("service"):
        if r.status != "completed" or r.outcome != "granted" or not _in(r.closed_at, month):
            continue
        name = key(r)
        row = per.setdefault(name, {"grants": 0, "rupiah": 0, "in_kind": 0, "not_stated": 0})
        row["grants"] += 1
        row["rupiah"] += r.aid_value or 0
        row["in_kind"] += r.aid_kind == "in_kind"
        row["not_stated"] += r.aid_kind == ""
    return per


def _plain_counts(month) -> dict[str, dict[str, int]]:
    end = monthly.month_end(month)
    tickets = [t for t in Ticket.objects.all() if month <= t.issued_on <= end]
    served = {t.person_id for t in tickets if t.person_id} | {c.person_id for c in Case.objects.all()
                                                               if _in(c.created_at, month)}
    cases = [c for c in Case.objects.all() if _in(c.created_at, month)]
    closed = [c for c in Case.objects.filter(status="closed") if _in(c.closed_at, month)]
    complaints = list(Complaint.objects.all())
    after = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    letters = list(Recommendation.objects.all())
    promoted = [e for e in ReferralEvent.objects.filter(action="promote") if _in(e.at, month)]
    waitlisted = [r for r in Referral.objects.filter(service__code="DINSOS-ASLUT") if _in(r.waitlisted_at, month)]
    aslut = str(Service.objects.get(code="DINSOS-ASLUT").pk)
    return {
        "visits": {"visits": len(tickets), "persons_served": len(served)},
        "registrations": {"households": sum(_in(h.created_at, month) for h in Household.objects.all()),
                          "persons": sum(_in(p.created_at, month) for p in Person.objects.all())},
        "cases": {"opened": len(cases), "closed": len(closed),
                  **{f"closed_{reason}": sum(c.closure_reason == reason for c in closed)
                     for reason in Case.ClosureReason.values}},
        "pathways": {pathway: sum(c.pathway == pathway for c in cases)
                     for pathway in ("listed", "in_verification", "recommendation")},
        "complaints": {
            "received": sum(_in(c.created_at, month) for c in complaints),
            "resolved": sum(_in(c.resolved_at, month) and c.status == "resolved" for c in complaints),
            "complaints_rejected": sum(_in(c.resolved_at, month) and c.status == "rejected" for c in complaints),
            "overdue_at_end": sum(c.created_at < after and c.due_on <= end
                                  and (c.resolved_at is None or c.resolved_at >= after) for c in complaints),
        },
        "recommendations": {
            "requested": sum(_in(r.created_at, month) for r in letters),
            "approved": sum(_in(r.decided_at, month) and r.status == "approved" for r in letters),
            "refused": sum(_in(r.decided_at, month) and r.status == "refused" for r in letters),
        },
        "verivali": {
            "submitted": sum(_in(a.submitted_at, month) for a in Assessment.objects.all()),
            "validated": sum(_in(a.validated_at, month) for a in Assessment.objects.all()),
            "decreed": sum(_in(a.approved_at, month) for a in Assessment.objects.all()),
            "decrees": sum(b.decree_date is not None and month <= b.decree_date <= end for b in Batch.objects.all()),
        },
        "waiting_flow": {aslut: {"added": len(waitlisted), "moved_up": len(promoted)}},
    }


def _section(figures: dict, key: str) -> dict[str, dict]:
    section = next(s for s in figures["sections"] if s["key"] == key)
    return {row["key"]: row["values"] for row in section["rows"]}


@pytest.mark.django_db
@pytest.mark.parametrize("month", [M0, M1])
def test_every_figure_equals_a_plain_count_of_the_same_rows(office, month):
    figures = monthly.report_figures(month)
    assert json.loads(json.dumps(figures)) == figures  # kept as JSON, exactly
    assert figures["columns"] == [f"{m:%Y-%m}" for m in (month, monthly.shift_months(month, -1),
                                                           monthly.shift_months(month, -12))]
    for key, expected in _plain_counts(month).items():
        got = _section(figures, key)
        for row, value in expected.items():
            if isinstance(value, dict):
                assert {figure: got[row][figure][0] for figure in value} == value, (key, row)
            else:
                assert got[row]["count"][0] == value, (key, row)
    referrals = _section(figures, "referrals_provider")
    plain = _plain_referrals(month)
    assert {row for row, values in referrals.items() if values["total"][0]} == set(plain)
    for provider, expected in plain.items():
        got = {figure: values[0] for figure, values in referrals[provider].items()}
        for figure in ("total", "completed", "granted", "rejected", "returned", "cancelled", "waiting", "open"):
            assert got[figure] == expected[figure], (provider, figure)
        if expected["days"]:
            assert got["median_days"] == statistics.median(expected["days"])  # whole days: x or x.5, as shown
            assert got["sla_pct"] == round(100 * expected["within"] / expected["completed"])
    channels = _section(figures, "channels")
    for channel in ("app", "office", "api", "reply_slip"):
        assert channels[channel]["answers"][0] == sum(
            _in(r.created_at, month) and r.status in ("completed", "rejected")
            and r.events.filter(to_status=r.status).order_by("-at", "-pk").first().channel == channel
            for r in Referral.objects.all()), channel
    for key, group in (("aid_provider", lambda r: str(r.provider_id)),
                       ("aid_programme", lambda r: r.service.programme or r.service.name)):
        got = _section(figures, key)
        expected = _plain_aid(month, group)
        assert {row for row, values in got.items() if row != "total" and values["grants"][0]} == set(expected)
        for row, values in expected.items():
            assert {figure: got[row][figure][0] for figure in values} == values, (key, row)
        if expected:
            assert got["total"]["rupiah"][0] == sum(row["rupiah"] for row in expected.values())
    assert [decree["number"] for decree in figures["decrees"]] == (
        ["188.45/77/2026"] if month <= Batch.objects.get().decree_date <= monthly.month_end(month) else [])


@pytest.mark.django_db
def test_the_previous_month_and_year_columns_are_those_months_figures(office):
    report = monthly.report_figures(M1)
    earlier, year_before = monthly.report_figures(M0), monthly.month_values(Y1)
    for section in report["sections"]:
        if section["stock"]:
            continue
        previous = _section(earlier, section["key"])
        for row in section["rows"]:
            for figure, values in row["values"].items():
                assert values[1] == previous.get(row["key"], {}).get(figure, [monthly._empty(figure)])[0], (
                    section["key"], row["key"], figure)
                found = year_before[section["key"]].get(row["key"])
                assert values[2] == (found[1][figure] if found else monthly._empty(figure)), (
                    section["key"], row["key"], figure)
    visits = _section(report, "visits")["visits"]["count"]
    assert visits == [_plain_counts(m)["visits"]["visits"] for m in (M1, M0, Y1)]
    assert visits[2] > 0  # the year before has rows of its own


@pytest.mark.django_db
def test_stock_figures_compare_with_the_archived_reports(office):
    disabled = factories.PersonFactory(disability_kinds=["sight"])
    earlier = reports.report_make(month=M0)
    assert _section(earlier.figures, "table_one")["sight"]["count"] == [1, None, None]
    factories.PersonFactory(disability_kinds=["sight"], disability_severity="moderate")
    Person.objects.filter(pk=disabled.pk).update(life_status="deceased")
    report = reports.report_make(month=M1)
    assert _section(report.figures, "table_one")["sight"]["count"] == [1, 1, None]
    aslut = _section(report.figures, "quotas")[str(Service.objects.get(code="DINSOS-ASLUT").pk)]
    assert aslut["quota"] == [20, 20, None]


@pytest.mark.django_db
def test_an_approved_report_never_changes_when_the_data_changes(office, head, front_desk):
    report = reports.report_make(month=M1)
    approved = reports.report_approve(report=report, approved_by=head)
    frozen, files = approved.figures, (approved.pdf.name, approved.xlsx.name)
    case = Case.objects.first()
    later = Referral.objects.create(
        case=case, service=office[0], provider=office[0].provider, year=2026, sequence=9999, number="9999/T",
        status="sent", sent_at=_at(M1, 9), due_on=M1, created_by=front_desk)
    Referral.objects.filter(pk=later.pk).update(created_at=_at(M1, 9))
    assert monthly.report_figures(M1) != frozen  # the data did change
    assert reports.report_make(month=M1).figures == frozen  # the monthly job leaves it as it is
    with pytest.raises(ValidationError):
        from pandu.office import services

        services.report_request(month=M1, requested_by=head)
    with pytest.raises(ValidationError):
        reports.report_approve(report=approved, approved_by=head)
    with pytest.raises(DatabaseError, match="is approved: it is final"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE office_monthlyreport SET figures = '{}' WHERE id = %s", [approved.pk])
    approved.refresh_from_db()
    assert (approved.figures, approved.pdf.name, approved.xlsx.name) == (frozen, *files)
    assert (approved.approved_by, approved.status) == (head, "approved") and approved.approved_at is not None


@pytest.mark.django_db
def test_a_draft_is_marked_on_every_page_and_the_approved_report_is_not(office, client, head):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    report = reports.report_make(month=M1)
    client.force_login(head)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'data-testid="report-draft"' in page and 'class="report-draft-mark"' in page
    pdf = PdfReader(io.BytesIO(b"".join(client.get(reverse("reports:pdf", args=[report.pk])).streaming_content)))
    assert len(pdf.pages) > 1
    assert all("DRAF" in p.extract_text() for p in pdf.pages)
    sheet = load_workbook(io.BytesIO(b"".join(client.get(reverse("reports:xlsx", args=[report.pk])).streaming_content))).active
    assert sheet["A1"].value.startswith("DRAF") and sheet.oddHeader.center.text == "DRAF"
    response = client.post(reverse("reports:approve", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "approved"
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'data-testid="report-approved"' in page and 'class="report-draft-mark"' not in page
    pdf = PdfReader(io.BytesIO(b"".join(client.get(reverse("reports:pdf", args=[report.pk])).streaming_content)))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "DRAF" not in text and "Disetujui oleh" in text
    assert AuditEvent.objects.filter(action="export", summary__startswith="monthly report").count() == 3
    assert AuditEvent.objects.filter(summary__startswith="approved the monthly report").count() == 1


@pytest.mark.django_db
def test_only_the_head_approves_and_other_roles_do_not_see_the_reports(client, reference_data, head):
    report = reports.report_make(month=M1)
    admin = factories.user_with_role("admin", username="r_admin")
    client.force_login(admin)
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    assert client.post(reverse("reports:approve", args=[report.pk])).status_code == 403
    for role in ("front_desk", "data_officer", "validator", "case_worker"):
        client.force_login(factories.user_with_role(role, username=f"r_{role}"))
        assert client.get(reverse("reports:list")).status_code == 403
        assert client.get(reverse("reports:pdf", args=[report.pk])).status_code == 403
    client.force_login(head)
    assert client.get(reverse("reports:detail", args=[report.pk + 1000])).status_code == 404


@pytest.mark.django_db
def test_a_month_is_made_on_request_through_the_job_queue(client, reference_data, head,
                                                        django_capture_on_commit_callbacks):
    from procrastinate.contrib.django.models import ProcrastinateJob

    from pandu.office import tasks

    client.force_login(head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:request"), {"month": f"{M0:%Y-%m}"})
    report = MonthlyReport.objects.get(month=M0)
    assert response.url == reverse("reports:detail", args=[report.pk]) and report.status == "queued"
    job = ProcrastinateJob.objects.get(task_name="pandu.office.tasks.make_monthly_report")
    assert job.args == {"month": M0.isoformat(), "requested_by": head.pk}
    assert tasks.make_monthly_report(**job.args) == f"the report of {M0:%Y-%m}: draft"
    report.refresh_from_db()
    assert (report.status, report.requested_by) == ("draft", head) and report.figures["month"] == f"{M0:%Y-%m}"
    future = monthly.shift_months(TODAY.replace(day=1), 1)
    client.post(reverse("reports:request"), {"month": f"{future:%Y-%m}"})
    assert not MonthlyReport.objects.filter(month=future).exists()
    assert client.post(reverse("reports:request"), {"month": "bulan lalu"}).status_code == 302


@pytest.mark.django_db
def test_the_monthly_job_makes_last_months_draft_once(reference_data):
    from pandu.office import tasks

    assert tasks.monthly_report(timestamp=0) == f"the report of {M1:%Y-%m} made as a draft"
    assert tasks.monthly_report(timestamp=0) == f"the report of {M1:%Y-%m} exists (draft)"
    assert MonthlyReport.objects.get().month == M1


@pytest.mark.django_db
def test_the_papers_table_1_is_on_the_reports_page_in_its_xlsx_and_its_pdf(client, head, table_1):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    report = reports.report_make(month=M1)
    client.force_login(head)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    for key, _label, count in TABLE_1:
        assert f'data-testid="fig-table_one-{key}-count">{count:,}<'.replace(",", ".") in page, key
    sheet = load_workbook(io.BytesIO(b"".join(client.get(reverse("reports:xlsx", args=[report.pk])).streaming_content))).active
    found = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and isinstance(row[0], str)}
    pdf = PdfReader(io.BytesIO(b"".join(client.get(reverse("reports:pdf", args=[report.pk])).streaming_content)))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    for number, (key, label, count) in enumerate(TABLE_1, start=1):
        shown = f"{number}. {label}" + (" (KK)" if key in ("FM", "KAT") else "")
        assert found[shown] == count, key
        assert shown in text and f" {count:,} ".replace(",", ".") in f"{text} ", key
