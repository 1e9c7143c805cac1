"""The head answers a citizen's data request: finds the person, corrects a misspelled name with
the reason, downloads everything the office holds as one ZIP, then anonymises the person after
confirming, and the old name is no longer found.
"""

import datetime
import json
import zipfile

import pytest
from playwright.sync_api import expect

from clients import services as client_services
from clients.models import Person, RegistryStatus
from pandu.models import AuditEvent
from tests import factories
from tests.e2e.conftest import login, screenshot
from tests.verivali.conftest import png_upload


@pytest.mark.django_db(transaction=True)
def test_head_downloads_everything_and_anonymises_a_person(demo_office, new_page, tmp_path):
    household = factories.HouseholdFactory(kk_number="6403051203990077", registry_status=RegistryStatus.NOT_LISTED)
    person = factories.PersonFactory(household=household, full_name="Yohana Lawing", phone="081234567890",
                                     birth_date=datetime.date(1984, 6, 23))
    client_services.person_set_photo(person=person, upload=png_upload("face.png"), changed_by=None)
    page = new_page()
    login(page, "kepala")

    # Find the person as she spells her name on the request letter.
    page.goto("/clients/search/")
    page.fill("[data-testid=search-box]", "Yohana Lawing")
    page.locator("[data-testid=search-result] a").first.click()
    expect(page.get_by_test_id("person-name")).to_have_text("Yohana Lawing")
    expect(page.get_by_test_id("data-request")).to_be_visible()

    # Her KTP says Yohanna: correct it, with the reason.
    page.get_by_test_id("data-correct").click()
    page.fill("input[name=full_name]", "Yohanna Lawing")
    page.fill("textarea[name=reason]", "KTP dilihat di loket: Yohanna dengan dua n")
    page.click("[data-testid=save-person]")
    expect(page.get_by_test_id("person-name")).to_have_text("Yohanna Lawing")
    expect(page.get_by_test_id("corrections")).to_contain_text("KTP dilihat di loket")

    # Everything the office holds, as one file.
    with page.expect_download(timeout=60_000) as download:
        page.get_by_test_id("data-export").click()
    assert download.value.suggested_filename.startswith(f"person-{person.pk}-")
    path = tmp_path / "data.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("person.json"))
        assert data["person"]["full_name"] == "Yohanna Lawing"
        assert archive.read("files/person-photo.jpg")[:2] == b"\xff\xd8"
        assert "Yohanna Lawing" in archive.read("README.txt").decode()
    actions = {event["action"] for event in data["audit_events"]}
    assert {"view_person", "correct", "export"} <= actions

    # Erasure: the confirmation says what goes and what stays; the head confirms with the reason.
    page.get_by_test_id("data-anonymise").click()
    expect(page.get_by_test_id("anonymise-form")).to_be_visible()
    screenshot(page, "data_request_confirm")
    page.fill("textarea[name=reason]", "Permintaan tertulis 20-11-2026; pindah ke luar daerah")
    page.click("[data-testid=anonymise-submit]")
    expect(page.get_by_test_id("anonymise-form")).to_be_visible()  # not confirmed yet: nothing happened
    assert Person.objects.get(pk=person.pk).anonymised_at is None
    page.check("input[name=confirm]")
    page.click("[data-testid=anonymise-submit]")
    expect(page.get_by_test_id("person-name")).to_have_text(f"Anonim #{person.pk}")
    expect(page.get_by_test_id("anonymised")).to_contain_text("pindah ke luar daerah")
    expect(page.get_by_test_id("data-anonymise")).to_have_count(0)
    expect(page.get_by_test_id("no-photo")).to_be_visible()
    screenshot(page, "data_request_anonymised")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ANONYMISE, object_id=str(person.pk)).exists()

    # Neither spelling of the old name finds anybody any more.
    page.goto("/clients/search/")
    page.fill("[data-testid=search-box]", "Yohanna Lawing")
    expect(page.get_by_test_id("no-results")).to_be_visible()
