"""Each demo role logs in through the login form and sees its own home and navigation."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

ROLE_LOGINS = [
    ("loket", "home-front_desk"),
    ("data", "home-data_officer"),
    ("dinkes", "home-desk_officer"),
    ("peksos", "home-case_worker"),
    ("surveyor", "home-surveyor"),
    ("validator", "home-validator"),
    ("kepala", "home-head"),
    ("admin", "home-admin"),
]


@pytest.mark.django_db(transaction=True)
def test_every_demo_role_sees_its_home_and_navigation(demo_office, new_page):
    for username, section in ROLE_LOGINS:
        page = new_page()
        login(page, username)
        expect(page.locator(f"[data-testid={section}]")).to_be_visible()
        nav = page.locator("[data-testid=nav]")
        expect(nav.get_by_role("link", name="Beranda")).to_be_visible()
        expect(nav.get_by_role("link", name="Administrasi")).to_have_count(1 if username == "admin" else 0)
        if username == "dinkes":
            expect(page.locator("[data-testid=my-provider]")).to_have_text("Dinas Kesehatan")
        screenshot(page, f"home-{username}")
        page.context.close()


@pytest.mark.django_db(transaction=True)
def test_home_works_on_a_phone_and_switches_to_english(demo_office, new_page):
    page = new_page(viewport={"width": 375, "height": 740})
    login(page, "surveyor")
    expect(page.locator("[data-testid=home-surveyor]")).to_be_visible()
    page.get_by_role("button", name="Menu").click()
    expect(page.locator("[data-testid=nav]").get_by_role("link", name="Beranda")).to_be_visible()
    page.locator("[data-testid=language-switch]").get_by_role("button", name="EN").click()
    expect(page.get_by_role("heading", name="Welcome, Andi Pratama")).to_be_visible()
    screenshot(page, "home-surveyor-phone-en")
    # A wrong password: the form says so and nothing else happens.
    other = new_page()
    other.goto("/accounts/login/")
    other.fill("input[name=username]", "loket")
    other.fill("input[name=password]", "not-the-password")
    other.click("button[type=submit]")
    expect(other.locator(".alert-danger").first).to_be_visible()
