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


# The TV's browser voices, replaced by recorders: one TV has an Indonesian voice, the other only
# an English one (headless chromium has none of its own).
FAKE_SPEECH = """
(() => {
  window.__spoken = [];
  window.__voicesAsked = 0;
  const voices = [{ name: "test", lang: "%s" }];
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
  Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
    getVoices: () => { window.__voicesAsked += 1; return voices; },
    speak: (utterance) => window.__spoken.push({ text: utterance.text, lang: utterance.lang }),
    cancel: () => {},
  } });
})();
"""


@pytest.mark.django_db(transaction=True)
def test_a_priority_ticket_is_called_first_and_the_display_flashes_and_speaks_it(demo_office, new_page):
    display = new_page(viewport={"width": 1280, "height": 720})
    display.add_init_script(FAKE_SPEECH % "id-ID")
    display.goto("/queue/display/")
    english_tv = new_page(viewport={"width": 1280, "height": 720})
    english_tv.add_init_script(FAKE_SPEECH % "en-US")
    english_tv.goto("/queue/display/")

    desk = new_page()
    login(desk, "loket")
    desk.get_by_role("link", name="Antrean").click()
    desk.get_by_test_id("issue-ticket").click()  # one click: a regular ticket
    expect(desk.get_by_test_id("receipt")).to_contain_text("A-001")
    expect(desk.get_by_test_id("receipt-priority")).to_have_count(0)
    desk.get_by_role("link", name="Kembali ke loket").click()

    desk.get_by_label("Keperluan").select_option(label="Rujukan atau layanan")
    desk.get_by_label("Prioritas", exact=True).select_option(label="Ibu hamil")
    desk.get_by_test_id("issue-ticket").click()
    expect(desk.get_by_test_id("receipt")).to_contain_text("A-002")
    expect(desk.get_by_test_id("receipt-priority")).to_have_text("Prioritas: Ibu hamil")
    expect(desk.get_by_test_id("receipt")).to_contain_text("0 warga sebelum Anda")
    desk.get_by_role("link", name="Kembali ke loket").click()

    waiting = desk.get_by_test_id("waiting-list").locator("li")
    expect(waiting.first).to_contain_text("A-002")
    expect(waiting.first.get_by_test_id("priority-badge")).to_have_text("Prioritas: Ibu hamil")
    expect(waiting.nth(1)).to_contain_text("A-001")
    screenshot(desk, "queue-priority-waiting")

    desk.get_by_test_id("call-next").click()
    expect(desk.get_by_test_id("current-number")).to_have_text("A-002")
    newest = display.locator(".called-card.latest")
    expect(newest.get_by_test_id("display-number")).to_have_text("A-002", timeout=5000)
    expect(newest).to_have_class(re.compile(r"\bflash\b"))
    expect(display.get_by_test_id("display-announcer")).to_have_text("Nomor A-002, silakan menuju Loket Pendaftaran.")
    display.wait_for_function("() => window.__spoken.length > 0")
    assert display.evaluate("() => window.__spoken") == [
        {"text": "Nomor A 2, silakan menuju Loket Pendaftaran.", "lang": "id-ID"}
    ]
    screenshot(display, "queue-display-flash")
    # No Indonesian voice: nothing spoken, the live region still says it.
    expect(english_tv.get_by_test_id("display-announcer")).to_have_text("Nomor A-002, silakan menuju Loket Pendaftaran.")
    english_tv.wait_for_function("() => window.__voicesAsked >= 2")
    assert english_tv.evaluate("() => window.__spoken") == []

    desk.get_by_role("button", name="Warga hadir: mulai").click()
    desk.get_by_role("button", name="Selesai").click()
    desk.get_by_test_id("call-next").click()
    expect(desk.get_by_test_id("current-number")).to_have_text("A-001")
