"""The head's first login as `make run` seeds it: a new password, then an authenticator app read
from the page, the recovery codes; the next login asks for the app's code."""

import os
from base64 import b32decode

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

NEW_PASSWORD = "Sambaliung-2026"


@pytest.fixture
def office_as_make_run_seeds_it(transactional_db):
    """seed_demo without --keep-demo-passwords: new passwords and second factors at first login."""
    with open(os.devnull, "w") as devnull:
        call_command("load_reference_data", stdout=devnull)
        call_command("seed_demo", "--households", "5", stdout=devnull)


def sign_in(page, password):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "kepala")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_the_head_sets_up_an_app_at_the_first_login_and_gives_its_code_at_the_next(
    office_as_make_run_seeds_it, new_page
):
    page = new_page()
    sign_in(page, "Pandu-demo-2026")
    expect(page.locator("[data-testid=password-change-required]")).to_be_visible()
    page.fill("input[name=old_password]", "Pandu-demo-2026")
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.get_by_role("button", name="Simpan kata sandi baru").click()

    # The set-up page: a QR code drawn on the page and the secret as text.
    expect(page.locator("[data-testid=totp-qr] svg")).to_be_visible()
    secret = page.locator("[data-testid=totp-secret]").inner_text()
    key = b32decode(secret.replace(" ", ""))
    screenshot(page, "second-factor-setup")
    page.goto(reverse("dashboard"))  # nothing else is open yet
    expect(page.locator("[data-testid=totp-secret]")).to_have_text(secret)
    page.fill("input[name=code]", f"{totp(key):06d}")
    page.get_by_role("button", name="Konfirmasi").click()

    codes = page.locator("[data-testid=recovery-codes] li")
    expect(codes).to_have_count(10)
    screenshot(page, "second-factor-recovery-codes")
    page.get_by_role("link", name="Sudah saya simpan: lanjutkan").click()
    expect(page.locator("[data-testid=dashboard-filter]")).to_be_visible()

    page.locator("[data-testid=user-menu]").click()
    page.get_by_role("button", name="Keluar").click()
    expect(page.locator("input[name=username]")).to_be_visible()

    sign_in(page, NEW_PASSWORD)
    expect(page.locator("input[name=code]")).to_be_visible()
    expect(page.locator("[data-testid=totp-secret]")).to_have_count(0)  # no second look at the secret
    # The phone's next code: the one typed at the set-up is used up for its 30 seconds.
    page.fill("input[name=code]", f"{totp(key, drift=1):06d}")
    page.get_by_role("button", name="Lanjutkan", exact=True).click()
    expect(page.locator("[data-testid=home-head]")).to_be_visible()
    page.goto(reverse("dashboard"))
    expect(page.locator("[data-testid=dashboard-filter]")).to_be_visible()
