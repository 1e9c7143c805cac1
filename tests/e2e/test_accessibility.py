"""WCAG 2.1 A and AA on every page each demo role reaches, checked with axe-core (issue 23).

Each role signs in and walks the same-origin links from its home, one page per URL pattern
(``django.urls.resolve(path).route``), and axe checks each page as it is shown. A violation of
impact serious or critical fails the test, listed with its rule, page and element. One page
while building it: ``scripts/axe_page.py`` (docs/development.md,
"Accessibility").
"""

from __future__ import annotations

import contextlib
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from desks import services as desk_services
from desks.models import Desk
from tests.e2e.axe import axe_violations, report
from tests.e2e.conftest import login

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# One login per role (README's demo logins); the surveyor works on a phone, so twice.
WALKS = [
    ("loket", DESKTOP),
    ("data", DESKTOP),
    ("dinkes", DESKTOP),
    ("peksos", DESKTOP),
    ("surveyor", DESKTOP),
    ("surveyor", PHONE),
    ("validator", DESKTOP),
    ("kepala", DESKTOP),
    ("admin", DESKTOP),
]

# Links that are not pages: they sign out, or answer with a file (PDF, XLSX, CSV, a photo).
NOT_PAGES = {
    "logout",
    "letter",
    "recommendation_letter",
    "attachment",
    "photo",
    "person_photo",
    "household_photo",
    "import_errors",
    "export_proposal",
}
FILE_QUERY_KEYS = {"export", "format", "download"}

# Django's own admin (the administrator's /admin/) is Django's interface, not Pandu's theme:
# its index page is checked, the screens behind it (one per model) are left to Django.
ADMIN_PREFIX = "/admin/"

HTMX_SETTLED = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def page_key(url: str, origin: str) -> str | None:
    """The URL pattern a link leads to, or None when it is not a page to check."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    query = parse_qs(parts.query)
    if FILE_QUERY_KEYS & set(query):
        return None
    if any(value != "1" for value in query.get("page", [])):
        return None
    if parts.path.startswith(ADMIN_PREFIX) and parts.path != ADMIN_PREFIX:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name in NOT_PAGES:
        return None
    return match.route


def assert_keyboard_starts_by_skipping_the_navigation(page):
    """The first Tab reaches a visible "skip to the content" link with a solid focus outline;
    Enter on it takes the keyboard past the navigation, into the page's content."""
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Langsung ke isi halaman")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"
    skip.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def walk(page, origin: str, label: str, checked: set | None = None) -> tuple[list[str], list]:
    """Visit every page reachable from the home, one per URL pattern; axe each. A pattern
    another role's walk already checked at this screen width (``checked``) is only followed for
    its links: the same template, checked once, keeps the suite's time in bounds."""
    checked = set() if checked is None else checked
    queue, seen, visited, violations = [origin + "/"], set(), [], []
    while queue:
        url = queue.pop(0)
        key = page_key(url, origin)
        if key is None or key in seen:
            continue
        seen.add(key)
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a file after all: the browser starts a download
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        width = page.viewport_size["width"] if page.viewport_size else 0
        if (width, key) in checked:
            links = page.eval_on_selector_all(
                "a[href]:not([download])", "links => links.map(link => link.href.split('#')[0])"
            )
            queue += [link for link in links if link]
            continue
        checked.add((width, key))
        # What htmx loads on arrival (a list, a badge) is part of the page: wait until no htmx
        # request is in flight or being swapped in (waiting for the network to be idle took
        # half a second a page more, and never ends on a page that polls).
        with contextlib.suppress(PlaywrightError):
            page.wait_for_function(HTMX_SETTLED, timeout=5_000)
        # On a phone the navigation is folded behind "Menu": open it, so its links are checked too.
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            page.wait_for_selector("#mainnav.show")
        path = page.url.removeprefix(origin)
        visited.append(path)
        violations += axe_violations(page, label=f"{label} {path}")
        links = page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(link => link.href.split('#')[0])"
        )
        queue += [link for link in links if link]
    return visited, violations


@pytest.mark.django_db(transaction=True)
def test_every_page_each_role_reaches_passes_axe(demo_office, new_page, live_server):
    started = time.monotonic()
    everything, pages, checked = [], [], set()
    for username, viewport in WALKS:
        page = new_page(viewport=viewport)
        login(page, username)
        assert_keyboard_starts_by_skipping_the_navigation(page)
        label = f"[{username} {viewport['width']}px]"
        visited, violations = walk(page, live_server.url, label, checked)
        pages += [f"{label} {path}" for path in visited]
        everything += violations
        page.context.close()
    assert len(pages) > 40, pages  # the walk really walked
    print(f"\naxe checked {len(pages)} pages in {time.monotonic() - started:.0f}s")
    assert not everything, report(everything)


@pytest.mark.django_db(transaction=True)
def test_login_page_passes_axe_on_a_desk_and_a_phone(demo_office, new_page):
    violations = []
    for viewport in (DESKTOP, PHONE):
        page = new_page(viewport=viewport)
        page.goto("/accounts/login/")
        violations += axe_violations(page, label=f"[anonymous {viewport['width']}px] /accounts/login/")
    assert not violations, report(violations)


@pytest.mark.django_db(transaction=True)
def test_the_citizens_status_check_passes_axe_on_a_kiosk_and_a_phone(demo_office, new_page):
    """The public kiosk page (no login): the empty form and the answer to an unknown number."""
    violations = []
    for viewport in (DESKTOP, PHONE):
        page = new_page(viewport=viewport)
        page.goto("/referrals/status/")
        violations += axe_violations(page, label=f"[anonymous {viewport['width']}px] /referrals/status/")
        page.get_by_label("Nomor antrean (hari ini) atau nomor rujukan").fill("A-999")
        page.get_by_label("Tanggal lahir Anda").fill("1980-01-01")
        page.get_by_role("button", name="Cek").click()
        expect(page.get_by_test_id("status-not-found")).to_be_visible()
        violations += axe_violations(page, label=f"[anonymous {viewport['width']}px] /referrals/status/ (not found)")
    assert not violations, report(violations)


@pytest.mark.django_db(transaction=True)
def test_waiting_room_display_passes_axe_and_announces_each_call(demo_office, new_page):
    desk = Desk.objects.get(code="REG")
    officer = get_user_model().objects.get(username="loket")
    display = new_page(viewport={"width": 1920, "height": 1080})
    display.goto("/queue/display/")
    violations = axe_violations(display, label="[display] /queue/display/ (nobody called)")

    desk_services.ticket_issue(desk=desk, issued_by=officer)
    desk_services.ticket_issue(desk=desk, issued_by=officer)
    first = desk_services.ticket_call_next(desk=desk, officer=officer)
    announcer = display.get_by_test_id("display-announcer")
    expect(announcer).to_have_attribute("aria-live", "assertive")
    expect(announcer).to_have_text(f"Nomor {first.number}, silakan menuju {desk.name}.", timeout=5000)
    violations += axe_violations(display, label="[display] /queue/display/ (a number called)")

    second = desk_services.ticket_call_next(desk=desk, officer=officer)
    expect(announcer).to_have_text(f"Nomor {second.number}, silakan menuju {desk.name}.", timeout=5000)
    assert not violations, report(violations)


@pytest.mark.django_db(transaction=True)
def test_the_check_fails_on_a_form_control_without_a_label(demo_office, new_page):
    """axe is not a no-op: the login form with its username label taken away fails on `label`."""
    page = new_page()
    page.goto("/accounts/login/")
    assert axe_violations(page) == []
    page.evaluate(
        """() => {
            const input = document.querySelector("input[name=username]");
            document.querySelectorAll(`label[for="${input.id}"]`).forEach(label => label.remove());
            input.removeAttribute("aria-label");
            input.removeAttribute("placeholder");
            input.removeAttribute("title");
        }"""
    )
    violations = axe_violations(page)
    assert [(v.rule, v.target) for v in violations] == [("label", "#id_username")], report(violations)
    expect(page.locator("input[name=username]")).to_be_visible()
    assert re.search(r"label \(critical\) on .*/accounts/login/: #id_username", report(violations))
