"""Browser journeys: Playwright drives Debian's chromium against the live test server.

The browser is never downloaded: without /usr/bin/chromium these tests are skipped with
the reason (CI installs chromium first).
"""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command

from clients.models import Region

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
    from playwright.sync_api import expect, sync_playwright

    # Two test processes share the machine's two cores (make test: pytest-xdist), and a journey's
    # server answers beside the other process's work: an assertion waits up to 15 s for the page
    # (Playwright's 5 s default), an action up to 30 s. A passing journey waits no longer for it.
    expect.set_options(timeout=15_000)

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


def _server_sql(statement: str) -> None:
    """A statement about whole databases, from the server's maintenance database."""
    import psycopg
    from django.db import connection

    params = {k: v for k, v in connection.get_connection_params().items() if k not in {"cursor_factory", "context"}}
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(statement)


def _copy_database(name: str, *, of: str) -> None:
    """CREATE DATABASE … TEMPLATE: a copy of every table, index and sequence in a fraction of a
    second. The template may have no other session: connections left by earlier tests' servers
    and workers are ended first."""
    from django.db import connections

    connections.close_all()
    _server_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _server_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{of}'"
                " AND pid <> pg_backend_pid()")
    _server_sql(f'CREATE DATABASE "{name}" TEMPLATE "{of}" STRATEGY WAL_LOG')


@contextmanager
def _using(name: str):
    """Every new connection of this process (the test's, the live server's request threads) and
    every worker started meanwhile goes to database ``name``."""
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    before = connections["default"].settings_dict["NAME"]
    for database in {id(d): d for d in (settings.DATABASES["default"], connections["default"].settings_dict)}.values():
        database["NAME"] = name
    try:
        yield
    finally:
        connections.close_all()
        for database in {id(d): d for d in (settings.DATABASES["default"],
                                            connections["default"].settings_dict)}.values():
            database["NAME"] = before


@pytest.fixture(scope="session")
def demo_template(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo office (reference data, 20 households, the demo logins) seeded once per run into
    a database of its own, with the photos it stores: each journey starts from a copy of it."""
    from django.db import connection
    from django.test import override_settings

    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock():
        test_database = connection.settings_dict["NAME"]
        template = f"{test_database}_demo"
        _copy_database(template, of=test_database)
        # The tests' own password hasher (tests/conftest.py): the demo logins are checked with it.
        fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
        with _using(template), override_settings(MEDIA_ROOT=media), fast_hashing, open(os.devnull, "w") as devnull:
            if not Region.objects.exists():
                call_command("load_reference_data", stdout=devnull)
            call_command("seed_demo", "--households", "20", "--keep-demo-passwords", stdout=devnull)
        yield template, media
        _server_sql(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


@pytest.fixture
def demo_office(transactional_db, demo_template, settings):
    """Reference data and the demo logins, in the live server's database: a fresh copy of the
    seeded demo for each journey (seeding it each time took 4–5 s a journey)."""
    template, media = demo_template
    journey = template.removesuffix("_demo") + "_journey"
    _copy_database(journey, of=template)
    shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    with _using(journey):
        yield
    _server_sql(f'DROP DATABASE IF EXISTS "{journey}" WITH (FORCE)')


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
        context.set_default_timeout(30_000)
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
