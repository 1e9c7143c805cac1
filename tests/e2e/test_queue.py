"""The queue: a ticket is taken, called at registration, sent on to the data desk, and the
waiting-room display shows where it is called."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot


@pytest.mark.django_db(transaction=True)
def test_ticket_travels_from_registration_to_the_data_desk_and_the_display_follows(demo_office, new_page):
    display = new_page(viewport={"width": 1280, "height": 720})
    display.goto("/queue/display/")
    expect(display.get_by_text("Ambil nomor antrean", exact=False)).to_be_visible()

    desk = new_page()
    login(desk, "loket")
    desk.get_by_role("link", name="Antrean").click()
    expect(desk.get_by_role("heading", name=re.compile("Loket Pendaftaran"))).to_be_visible()
    desk.get_by_test_id("issue-ticket").click()
    expect(desk.get_by_test_id("receipt")).to_contain_text("A-001")
    screenshot(desk, "queue-receipt")
    desk.get_by_role("link", name="Kembali ke loket").click()
    desk.get_by_test_id("call-next").click()
    expect(desk.get_by_test_id("current-number")).to_have_text("A-001")
    expect(display.get_by_test_id("display-number").first).to_have_text("A-001", timeout=5000)

    desk.get_by_role("button", name="Warga hadir: mulai").click()
    desk.get_by_test_id("transfer-form").locator("select").select_option(label="B · Loket Data dan Informasi")
    desk.get_by_role("button", name="Teruskan").click()
    expect(desk.get_by_test_id("no-current")).to_be_visible()

    data = new_page()
    login(data, "data")
    data.get_by_role("link", name="Antrean").click()
    expect(data.get_by_test_id("waiting-list")).to_contain_text("A-001")
    data.get_by_test_id("call-next").click()
    expect(data.get_by_test_id("current-number")).to_have_text("A-001")
    called = display.locator(".called-card").first
    expect(called).to_contain_text("A-001", timeout=5000)
    expect(called).to_contain_text("Loket Data dan Informasi", timeout=5000)
    screenshot(display, "queue-display")
