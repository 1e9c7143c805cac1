"""Journey of the data desk: upload a PPLS/DTKS file, read the check (nothing saved yet), import
the valid rows in the background (a job worker, as `make run` starts one) while the page shows
the progress, download the error report.
An officer of another desk cannot open the job."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from clients.models import ImportJob, Person
from tests import workers
from tests.e2e.conftest import login, screenshot

FIXTURE = Path(__file__).resolve().parents[1] / "clients" / "fixtures" / "registry_dirty.csv"
SUMMARY = "households created=3 updated=0; persons created=8 updated=0; rejected=23"


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A job worker next to the live server, as `make run` starts one next to the web server."""
    workers.empty_queue()
    with workers.worker_process(tmp_path / "worker.log") as process:
        yield process
    workers.empty_queue()


def test_data_officer_checks_imports_and_downloads_the_error_report(demo_office, new_page, worker):
    page = new_page()
    login(page, "data")
    page.goto("/registry/imports/")
    page.set_input_files("input[name=file]", str(FIXTURE))
    page.fill("input[name=source]", "PPLS2011")
    page.locator("form:has(input[name=file]) [type=submit]").click()

    # The check runs in the background; the page polls it (htmx) until the preview is there.
    expect(page.get_by_test_id("preview-line")).to_have_text(SUMMARY, timeout=30_000)
    expect(page.get_by_test_id("preview-rejected")).to_contain_text("6.40305E+15")
    assert not Person.objects.filter(nik="6403051205800001").exists()  # a check saves nothing
    screenshot(page, "registry-import-checked")

    page.on("dialog", lambda dialog: dialog.accept())  # "Import the valid rows of this file…?"
    page.get_by_test_id("start-import").click()
    expect(page.get_by_test_id("result-line")).to_have_text(SUMMARY, timeout=30_000)
    expect(page.get_by_test_id("preview-header")).to_have_text("Pemeriksaan sebelum impor")
    screenshot(page, "registry-import-done")
    assert Person.objects.get(nik="6403051205800001").full_name == "Budi Santoso"

    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_test_id("error-report").click()
    report = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert "6.40305E+15" in report and report.count("\n") >= 24  # the header and every rejected row

    job = ImportJob.objects.get()
    outsider = new_page()
    login(outsider, "dinkes")  # a desk officer of Dinas Kesehatan: not the data desk's role
    response = outsider.goto(f"/registry/imports/{job.pk}/")
    assert response.status == 403
