"""docs/security.md's promises about sessions and addresses, kept by the code: an idle session
ends although the page keeps polling; every session ends 12 hours after its login; the audit log
and the login throttle see the client behind a trusted proxy, never a forged address."""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from pandu import sessions
from pandu.audit_hooks import typed_name_digest
from pandu.http import client_ip
from pandu.models import AuditEvent
from tests import factories

POLL = {"HTTP_HX_REQUEST": "true", "HTTP_X_PANDU_POLL": "true"}
MINUTE = 60


@pytest.fixture
def clock(monkeypatch):
    """The sessions' clock, moved by hand."""

    class Clock:
        now = 1_800_000_000

        def advance(self, seconds: int) -> None:
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr(sessions, "now", lambda: clock.now)
    return clock


@pytest.fixture
def signed_in(client, clock, reference_data):
    factories.user_with_role("front_desk", username="rina", password="Rina-password-2026")
    assert client.post(reverse("login"), {"username": "rina", "password": "Rina-password-2026"}).status_code == 302
    return client


def _home_is_open(client) -> bool:
    return client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_polling_does_not_keep_an_unattended_session_alive(signed_in, clock):
    badge = reverse("referrals:outcomes_badge")
    for _ in range(29):  # the outcomes badge polls every minute while nobody touches the screen
        clock.advance(MINUTE)
        assert signed_in.get(badge, **POLL).status_code == 200
    clock.advance(2 * MINUTE)  # 31 minutes since the person last did anything
    response = signed_in.get(badge, **POLL)
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("login")
    response = signed_in.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_a_person_working_keeps_the_session(signed_in, clock):
    for _ in range(6):  # a click every 25 minutes for 2.5 hours
        clock.advance(25 * MINUTE)
        assert _home_is_open(signed_in)


@pytest.mark.django_db
def test_every_session_ends_twelve_hours_after_its_login(signed_in, clock):
    for _ in range(12 * 60 // 20):
        clock.advance(20 * MINUTE)
        assert _home_is_open(signed_in)
    clock.advance(20 * MINUTE)
    assert not _home_is_open(signed_in)


@pytest.mark.django_db
@override_settings(SESSION_IDLE_SECONDS=5 * MINUTE, SESSION_ABSOLUTE_SECONDS=60 * MINUTE)
def test_the_limits_come_from_the_settings(signed_in, clock):
    clock.advance(4 * MINUTE)
    assert _home_is_open(signed_in)
    clock.advance(6 * MINUTE)
    assert not _home_is_open(signed_in)


def test_every_polling_element_is_marked_as_a_poll_by_the_script():
    """The script marks any element whose hx-trigger says "every": each polling template uses
    that attribute, so none renews the idle clock."""
    root = Path(__file__).resolve().parents[2]
    script = (root / "static" / "pandu" / "pandu.js").read_text()
    assert '"X-Pandu-Poll"' in script and r"/\bevery\b/" in script
    pollers = [path for path in (root / "templates").rglob("*.html") if re.search(r'hx-trigger="[^"]*every', path.read_text())]
    assert len(pollers) >= 4
    for path in pollers:
        page = path.read_text()
        assert "hx-trigger" in page and "X-Pandu-Poll" not in page  # marked by the script, not by hand


@pytest.mark.django_db
def test_logout_clears_what_the_browser_keeps(signed_in):
    response = signed_in.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


# --- the client's address ----------------------------------------------------------------


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    assert client_ip(_request("10.1.2.3", "203.0.113.9")) == "10.1.2.3"


@override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/24"])
def test_behind_trusted_proxies_the_client_is_the_last_untrusted_hop():
    assert client_ip(_request("127.0.0.1", "192.168.7.20")) == "192.168.7.20"
    # A client that writes its own header is not believed: the proxy appended the real address.
    assert client_ip(_request("127.0.0.1", "1.2.3.4, 192.168.7.20")) == "192.168.7.20"
    assert client_ip(_request("127.0.0.1", "192.168.7.20, 10.0.0.5")) == "192.168.7.20"
    assert client_ip(_request("127.0.0.1", "not-an-address")) == "127.0.0.1"
    # A request that did not come through a trusted proxy keeps its own address.
    assert client_ip(_request("192.168.9.9", "1.2.3.4")) == "192.168.9.9"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["127.0.0.1"], AXES_FAILURE_LIMIT=3)
def test_the_audit_log_and_the_login_throttle_see_the_client_behind_the_proxy(client, reference_data):
    factories.user_with_role("head", username="kepala", password="Kepala-password-2026")
    # Three bad passwords from one workstation lock kepala out for that workstation only.
    for _ in range(3):
        client.post(reverse("login"), {"username": "kepala", "password": "wrong-password"},
                    REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.168.7.20")
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED)
    assert {event.ip_address for event in failed} == {"192.168.7.20"}
    locked = client.post(reverse("login"), {"username": "kepala", "password": "Kepala-password-2026"},
                         REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.168.7.20")
    assert locked.status_code == 429
    # The head at another workstation, behind the same proxy, still signs in.
    other = client.post(reverse("login"), {"username": "kepala", "password": "Kepala-password-2026"},
                        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.168.7.31")
    assert other.status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).get().ip_address == "192.168.7.31"


@pytest.mark.django_db
def test_a_failed_login_keeps_only_a_hash_of_what_was_typed(client, reference_data):
    client.post(reverse("login"), {"username": "Secret-Password-Typed-Here", "password": "x"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert "Secret-Password" not in event.summary and "Secret-Password" not in str(event.detail)
    assert event.summary == f"user name hash {typed_name_digest('Secret-Password-Typed-Here')}"
