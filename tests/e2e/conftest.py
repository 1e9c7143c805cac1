"""Browser journeys: Playwright drives Debian's chromium against the live test server.

The browser is never downloaded: without /usr/bin/chromium these tests are skipped with
the reason (CI installs chromium first).
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("PANDU_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"no browser at {CHROMIUM}: apt-get install chromium"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_office(transactional_db):
    """Reference data and the demo logins, in the live server's database."""
    with open(os.devnull, "w") as devnull:
        call_command("load_reference_data", stdout=devnull)
        call_command("seed_demo", "--households", "20", "--keep-demo-passwords", stdout=devnull)


@pytest.fixture
def private_media(settings, tmp_path):
    """Demo and survey photos of this test go to its own directory (the live server's storage too)."""
    from django.utils.functional import empty

    from pandu.files import private_storage

    settings.MEDIA_ROOT = tmp_path / "media"
    private_storage._wrapped = empty
    yield
    private_storage._wrapped = empty


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh contexts (one per login); close them at the end."""
    contexts = []

    def make(viewport=None):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or {"width": 1280, "height": 900},
            locale="id-ID",
            timezone_id="Asia/Makassar",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page, username, password="Pandu-demo-2026"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=user-menu]", state="attached")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
