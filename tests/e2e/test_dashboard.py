"""The head filters the dashboard by a kecamatan, opens a number, lands on the matching list
and exports it."""

import pytest
from playwright.sync_api import expect

from clients.models import Person
from tests.e2e.conftest import login, screenshot


@pytest.mark.django_db(transaction=True)
def test_head_filters_by_kecamatan_opens_a_number_and_exports_the_list(demo_office, new_page):
    page = new_page()
    login(page, "kepala")
    page.get_by_test_id("nav").get_by_role("link", name="Dasbor").click()
    expect(page.get_by_test_id("referrals-section")).to_be_visible()
    expect(page.get_by_test_id("pmks-section")).to_be_visible()
    page.select_option("#id_kecamatan", "64.03.05")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.get_by_text("Tanjung Redeb", exact=False).first).to_be_visible()
    screenshot(page, "dashboard-tanjung-redeb")

    fakir_miskin = Person.objects.filter(pmks_categories__code="FM", household__village__parent__code="64.03.05",
                                         life_status="active").distinct().count()
    number = page.get_by_test_id("pmks-FM")
    expect(number).to_have_text(str(fakir_miskin))
    number.click()
    expect(page.get_by_test_id("drill-title")).to_contain_text("FM")
    expect(page.get_by_test_id("drill-total")).to_contain_text(str(fakir_miskin))
    screenshot(page, "dashboard-drilldown")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_test_id("drill-export-xlsx").click()
    assert download.value.suggested_filename.startswith("persons-")
    assert download.value.suggested_filename.endswith(".xlsx")
