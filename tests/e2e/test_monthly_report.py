"""The head opens last month's draft report, reads it, approves it and downloads the final PDF."""

import pytest
from playwright.sync_api import expect

from pandu.office import reports
from pandu.office.models import MonthlyReport
from tests.e2e.conftest import login, screenshot


@pytest.mark.django_db(transaction=True)
def test_head_reads_the_months_draft_approves_it_and_downloads_the_pdf(demo_office, new_page):
    month = reports.last_month()  # seed_demo made its draft, as the monthly job does on the 1st
    page = new_page()
    login(page, "kepala")
    page.get_by_test_id("nav").get_by_role("link", name="Laporan bulanan").click()
    page.get_by_test_id(f"report-{month:%Y-%m}").click()
    expect(page.get_by_test_id("report-draft")).to_contain_text("DRAF")
    expect(page.get_by_test_id("report-referrals_provider")).to_be_visible()
    expect(page.get_by_test_id("report-table_one")).to_contain_text("Keluarga miskin")
    screenshot(page, "monthly-report-draft")

    page.on("dialog", lambda dialog: dialog.accept())  # "Approve this report? It becomes final…"
    page.get_by_test_id("report-approve").click()
    expect(page.get_by_test_id("report-approved")).to_contain_text("Drs. H. Muhammad Saleh")
    expect(page.get_by_test_id("report-approve")).to_have_count(0)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_test_id("report-pdf").click()
    assert download.value.suggested_filename.startswith(f"laporan-bulanan-{month:%Y-%m}-final")
    assert download.value.suggested_filename.endswith(".pdf")
    report = MonthlyReport.objects.get(month=month)
    assert report.status == "approved" and report.approved_by.username == "kepala"
