"""The data desk's registry pages: upload → check → import in the background; exports."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from clients.models import Household, ImportJob, Person, RegistryChange
from pandu.models import AuditEvent
from tests import factories, workers

FIXTURE = Path(__file__).parent / "fixtures" / "registry_dirty.csv"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def data_officer(reference_data):
    return factories.user_with_role("data_officer", username="dewi")


def _upload(client):
    upload = SimpleUploadedFile("ppls.csv", FIXTURE.read_bytes(), content_type="text/csv")
    return client.post(reverse("registry:import_list"), {"file": upload, "source": "PPLS2011"})


def _queued(job) -> list[dict]:
    """The arguments of the jobs waiting in the queue for this import."""
    return [
        queued.args
        for queued in ProcrastinateJob.objects.filter(task_name="clients.tasks.registry_import_job", status="todo")
        if queued.args == {"job_id": job.pk}
    ]


@pytest.fixture
def job_queue(transactional_db):
    """The queue with nothing in it; ``run()`` runs what was queued, as a worker does."""
    workers.empty_queue()
    yield workers.run_queued_jobs
    workers.empty_queue()


def test_officer_uploads_checks_then_imports_and_downloads_the_error_report(client, data_officer, job_queue):
    client.force_login(data_officer)
    response = _upload(client)
    job = ImportJob.objects.get()
    assert response.url == reverse("registry:import_detail", args=[job.pk])
    assert job.status == "checking" and _queued(job) == [{"job_id": job.pk}]
    page = client.get(reverse("registry:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="job-waiting"' in page

    job_queue()  # the check (dry run)
    job.refresh_from_db()
    assert job.status == "checked"
    assert (
        job.preview_line
        == "households created=3 updated=0; persons created=8 updated=0; rejected=23"
    )
    assert job.preview_rejected[0]["line"] == 8
    assert Person.objects.count() == 0
    page = client.get(reverse("registry:import_detail", args=[job.pk])).content.decode()
    assert "households created=3" in page and 'data-testid="start-import"' in page

    client.post(reverse("registry:import_start", args=[job.pk]))
    assert ImportJob.objects.get().status == "queued" and _queued(job) == [{"job_id": job.pk}]
    job_queue()  # the import
    job.refresh_from_db()
    assert job.status == "done"
    assert (
        job.result_line
        == "households created=3 updated=0; persons created=8 updated=0; rejected=23"
    )
    assert Person.objects.count() == 8
    assert (
        RegistryChange.objects.filter(
            reference=f"import #{job.pk}: ppls.csv", changed_by=data_officer
        ).count()
        == 3
    )
    assert AuditEvent.objects.filter(action="import", user=data_officer).count() == 1

    response = client.get(reverse("registry:import_errors", args=[job.pk]))
    report = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in report[1:4]] == ["8", "9", "10"]
    assert AuditEvent.objects.filter(action="export", user=data_officer).count() == 1


def test_a_failed_import_is_retried_from_its_page_and_imports_once(client, data_officer, job_queue):
    client.force_login(data_officer)
    _upload(client)
    job_queue()
    job = ImportJob.objects.get(status="checked")
    stored = Path(job.file.path)
    kept = stored.read_bytes()
    stored.unlink()  # the upload volume lost the file meanwhile
    client.post(reverse("registry:import_start", args=[job.pk]))
    job_queue()
    job.refresh_from_db()
    assert job.status == "failed" and "No such file" in job.error_message
    page = client.get(reverse("registry:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="job-error"' in page and "No such file" in page and 'data-testid="retry-job"' in page
    assert Person.objects.count() == 0

    stored.write_bytes(kept)
    response = client.post(reverse("registry:import_retry", args=[job.pk]))
    assert response.url == reverse("registry:import_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "queued" and job.error_message == "" and _queued(job) == [{"job_id": job.pk}]
    job_queue()
    job.refresh_from_db()
    assert job.status == "done" and job.result_line.startswith("households created=3 updated=0")
    assert Person.objects.count() == 8
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_a_second_retry_click_queues_nothing_more(client, data_officer, django_capture_on_commit_callbacks):
    job = ImportJob.objects.create(
        original_name="x.csv", file="imports/x.csv", created_by=data_officer, status="failed",
        error_message="server closed the connection unexpectedly",
        preview_line="households created=1 updated=0; persons created=2 updated=0; rejected=0",
    )  # fmt: skip
    client.force_login(data_officer)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("registry:import_retry", args=[job.pk]), follow=True)
        second = client.post(reverse("registry:import_retry", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == "queued" and _queued(job) == [{"job_id": job.pk}]
    assert [str(m) for m in first.context["messages"]] == [
        "Berkas diantrekan lagi. Anda boleh meninggalkan halaman ini dan kembali nanti."
    ]
    assert [str(m) for m in second.context["messages"]] == [
        "Berkas ini tidak gagal: tidak ada yang perlu dicoba lagi."
    ]


def test_retrying_a_failed_check_checks_the_file_again(client, data_officer, django_capture_on_commit_callbacks):
    job = ImportJob.objects.create(
        original_name="x.csv", file="imports/x.csv", created_by=data_officer, status="failed",
        error_message="['The file has no NIK column.']",
    )  # fmt: skip
    client.force_login(data_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "checking" and _queued(job) == [{"job_id": job.pk}]


def test_a_checked_job_is_imported_once_even_if_started_twice(
    client, data_officer, django_capture_on_commit_callbacks
):
    job = ImportJob.objects.create(
        original_name="x.csv", file="imports/x.csv", created_by=data_officer, status="checked",
        preview_line="households created=1 updated=0; persons created=2 updated=0; rejected=0",
    )  # fmt: skip
    client.force_login(data_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import_start", args=[job.pk]))
        client.post(reverse("registry:import_start", args=[job.pk]))
    assert _queued(job) == [{"job_id": job.pk}]


@pytest.mark.parametrize(
    ("status", "shown", "not_shown"),
    [
        ("queued", ['data-testid="job-waiting"', "Menunggu impor", 'hx-trigger="every 2s"'], ["retry-job"]),
        ("running", ["Sedang mengimpor", 'value="70"', 'hx-trigger="every 2s"'], ["job-waiting", "retry-job"]),
        ("failed", ["Gagal", 'data-testid="job-error"', "disk full", 'data-testid="retry-job"'],
         ['hx-trigger="every 2s"', "job-waiting"]),
    ],
)  # fmt: skip
def test_the_page_shows_a_queued_running_or_failed_job(client, data_officer, status, shown, not_shown):
    job = ImportJob.objects.create(
        original_name="x.csv", file="imports/x.csv", created_by=data_officer, status=status,
        stage="households" if status == "running" else "", rows_done=500, rows_total=1000,
        error_message="could not extend file: disk full" if status == "failed" else "",
    )  # fmt: skip
    client.force_login(data_officer)
    page = client.get(reverse("registry:import_detail", args=[job.pk])).content.decode()
    for text in shown:
        assert text in page, text
    for text in not_shown:
        assert text not in page, text


def test_progress_partial_polls_while_the_job_runs_and_stops_when_done(client, data_officer):
    job = ImportJob.objects.create(
        original_name="x.csv", file="imports/x.csv", created_by=data_officer, status="running",
        stage="households", rows_done=500, rows_total=1000,
    )  # fmt: skip
    client.force_login(data_officer)
    running = client.get(reverse("registry:import_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in running and 'value="70"' in running
    ImportJob.objects.filter(pk=job.pk).update(
        status="done", result_line="households created=1 updated=0"
    )
    done = client.get(reverse("registry:import_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in done and "households created=1" in done


def test_upload_refuses_other_file_types(client, data_officer):
    client.force_login(data_officer)
    upload = SimpleUploadedFile("ppls.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(reverse("registry:import_list"), {"file": upload})
    assert response.status_code == 200 and ImportJob.objects.count() == 0


@pytest.mark.parametrize("name", ["registry:import_list", "registry:export"])
def test_wrong_role_gets_403_and_anonymous_goes_to_login(client, front_desk, name):
    assert client.get(reverse(name)).status_code == 302
    client.force_login(front_desk)
    assert client.get(reverse(name)).status_code == 403


def test_job_pages_are_403_for_other_roles(client, front_desk, data_officer):
    job = ImportJob.objects.create(
        original_name="x.csv", file="imports/x.csv", created_by=data_officer
    )
    client.force_login(front_desk)
    for name in ("registry:import_detail", "registry:import_progress", "registry:import_errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 403
    assert client.post(reverse("registry:import_start", args=[job.pk])).status_code == 403


def test_an_outsider_cannot_retry_a_failed_job(client, front_desk, data_officer, django_capture_on_commit_callbacks):
    job = ImportJob.objects.create(
        original_name="x.csv", file="imports/x.csv", created_by=data_officer, status="failed", error_message="x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        anonymous = client.post(reverse("registry:import_retry", args=[job.pk]))
        client.force_login(front_desk)
        outsider = client.post(reverse("registry:import_retry", args=[job.pk]))
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    assert outsider.status_code == 403
    client.force_login(data_officer)
    assert client.get(reverse("registry:import_retry", args=[job.pk])).status_code == 405  # POST only
    job.refresh_from_db()
    assert job.status == "failed" and _queued(job) == []


def test_unknown_job_is_404(client, data_officer):
    client.force_login(data_officer)
    assert client.get(reverse("registry:import_detail", args=[999])).status_code == 404


def _imported():
    call_command("import_registry", str(FIXTURE), "--source", "DTKS", stdout=io.StringIO())


def test_export_csv_filters_by_village_escapes_formulas_and_is_audited(client, data_officer):
    _imported()
    person = Person.objects.get(nik="6403051205800001")
    person.full_name = '=HYPERLINK("http://evil")'
    person.save()
    client.force_login(data_officer)
    response = client.get(
        reverse("registry:export"), {"village": Household.objects.get(kk_number="6403050101200001").village_id,
                                     "format": "csv", "download": "1"},
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["NO_KK", "NIK", "NAMA"]
    assert len(rows) == 1 + 4
    assert next(row for row in rows if row[1] == person.nik)[2] == '\'=HYPERLINK("http://evil")'
    event = AuditEvent.objects.get(action="export")
    assert event.user == data_officer and event.detail["rows"] == 4
    assert event.detail["filter"]["village"] == "64.03.05.1004"


def test_export_xlsx_by_source_and_status(client, data_officer):
    _imported()
    client.force_login(data_officer)
    response = client.get(
        reverse("registry:export"),
        {"registry_source": "dtks", "registry_status": "listed", "format": "xlsx", "download": "1"},
    )
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert len(values) == 1 + 4  # households B and C
    assert {row[0] for row in values[1:]} == {"6403050101200002", "6403050101200003"}


def test_an_exported_list_imports_again_without_changes(client, data_officer, tmp_path):
    _imported()
    client.force_login(data_officer)
    response = client.get(reverse("registry:export"), {"format": "csv", "download": "1"})
    path = tmp_path / "export.csv"
    path.write_bytes(b"".join(response.streaming_content))
    out = io.StringIO()
    call_command("import_registry", str(path), stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        "households created=0 updated=0; persons created=0 updated=0; rejected=0"
    )


def test_proposal_export_lists_members_of_households_changed_by_verivali(client, data_officer):
    from clients.services import household_set_registry_status

    _imported()
    household = Household.objects.get(kk_number="6403050101200002")
    household_set_registry_status(
        household=household, status="not_listed", source="VERIVALI:2026-01", year=2026,
        reference="SK Bupati 100/2026", changed_by=data_officer,
    )  # fmt: skip
    client.force_login(data_officer)
    response = client.get(reverse("registry:export_proposal"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["NIK", "NO_KK", "NAMA", "ALAMAT", "KODE_WILAYAH", "JENIS_USULAN", "BATCH_VERIVALI",
                       "NOMOR_SK", "TANGGAL"]  # fmt: skip
    assert sorted((row[0], row[5], row[6], row[7]) for row in rows[1:]) == [
        ("6403050101700005", "remove", "2026-01", "SK Bupati 100/2026"),
        ("6403056902720006", "remove", "2026-01", "SK Bupati 100/2026"),
    ]
    assert AuditEvent.objects.filter(action="export", detail__rows=2).exists()


def test_export_by_welfare_class_takes_each_households_latest_validated_survey(client, data_officer):
    import datetime

    from clients.models import Region
    from tests import factories
    from tests.verivali.conftest import submitted
    from verivali import services as vv
    from verivali.models import ScorecardVersion

    validator = factories.user_with_role("validator", username="sri")
    surveyor = factories.user_with_role("surveyor", username="andi")
    version = ScorecardVersion.objects.get(number=1)
    batch = vv.batch_create(name="Uji", code="VV-UJI", period_start=datetime.date(2026, 9, 1),
                            period_end=datetime.date(2026, 12, 31), kecamatan=[Region.objects.get(code="64.03.05")],
                            created_by=validator)
    very_poor, not_poor = factories.HouseholdFactory(), factories.HouseholdFactory()
    for household, answer in ((very_poor, 1), (not_poor, 4)):
        member = factories.PersonFactory(household=household)
        assessment = vv.batch_add_household(batch=batch, household=household)
        vv.assignments_assign(batch=batch, surveyor=surveyor, assessment_ids=[assessment.pk])
        assessment.refresh_from_db()
        vv.assessment_validate(assessment=submitted(assessment, surveyor, version, value=answer), validator=validator)
        household.member_nik = member.nik
    client.force_login(data_officer)
    response = client.get(reverse("registry:export"), {"welfare_class": "very_poor", "format": "csv", "download": "1"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == [very_poor.member_nik]
