"""The data officer's duplicate review: open the queue the demo filled, compare a likely pair
(the same person imported again with a NIK one digit off), merge them, then find the person
by the mistyped NIK: search shows the record that stayed."""

import pytest
from playwright.sync_api import expect

from clients.models import DuplicateCandidate, Person
from tests.e2e.conftest import login, screenshot


@pytest.mark.django_db(transaction=True)
def test_data_officer_merges_two_records_and_finds_the_person_by_the_old_nik(demo_office, new_page):
    pair = DuplicateCandidate.objects.filter(level="likely", reasons__contains=["nik_near"]).get()
    kept, typo = pair.person_a, pair.person_b  # the demo's copy was registered later
    page = new_page()
    login(page, "data")
    page.goto("/")
    page.get_by_test_id("home-duplicates").click()
    page.locator(f"a[href$='/registry/duplicates/{pair.pk}/']").click()
    expect(page.get_by_test_id("differs-nik")).to_be_visible()
    expect(page.get_by_test_id("keep-a")).to_be_checked()
    screenshot(page, "duplicates_compare")
    page.on("dialog", lambda dialog: dialog.accept())  # "Merge the two records? …"
    page.get_by_test_id("merge").click()
    expect(page.locator("h1")).to_contain_text(kept.full_name)
    assert not Person.objects.filter(pk=typo.pk).exists()

    page.goto("/clients/search/")
    page.fill("[data-testid=search-box]", typo.nik)
    first = page.locator("[data-testid=search-result]").first
    expect(first).to_contain_text(kept.full_name)
    expect(first).to_contain_text(kept.nik)
