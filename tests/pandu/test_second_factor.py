"""The second factor of the head, the administrator and the data officer (docs/security.md,
"Accounts and sessions"): enrolment at the first login, a code at every later one, recovery
codes, the lock after wrong codes, the administrator's reset, the exempt demo accounts.

These tests sign in through the login page: force_login would pass the second factor
(tests/conftest.py)."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pandu.accounts import account_require_password_change
from pandu.models import AuditEvent
from pandu.office.demo import DEMO_PASSWORD
from pandu.second_factor import second_factor_exempt_set
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]

SETUP = reverse("second_factor_setup")
VERIFY = reverse("second_factor_verify")
RECOVERY = reverse("second_factor_recovery_codes")


def sign_in(client, user, password=factories.PASSWORD):
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302, "the password was refused"
    return client.get(response.url)


def app_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the phone shows: now, or a step later (a code once used is refused in its step)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"


def secret_on_page(html: str) -> bytes:
    from base64 import b32decode

    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    return b32decode(secret.replace(" ", ""))


def enrol(client, user) -> list[str]:
    """Sign in and set up the app; the recovery codes shown."""
    assert sign_in(client, user).url.startswith(SETUP)
    page = client.get(SETUP)
    key = secret_on_page(page.content.decode())
    response = client.post(SETUP, {"code": f"{totp(key):06d}"})
    assert response.status_code == 302 and response.url.startswith(RECOVERY)
    return re.findall(r"<li><code>([a-z2-7]+)</code></li>", client.get(response.url).content.decode())


@pytest.fixture
def client():
    """A browser that asks for the English interface (the messages below are the msgids)."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def data_officer(reference_data):
    return factories.user_with_role("data_officer", username="yusuf")


@pytest.fixture
def admin(reference_data):
    return factories.user_with_role("admin", username="it", is_staff=True)


@pytest.fixture
def enrolled_head(head, client):
    enrol(client, head)
    client.post(reverse("logout"))
    return head


@pytest.mark.parametrize("role", ["head", "admin", "data_officer"])
def test_the_first_login_of_a_role_that_exports_the_registry_sets_up_an_app(client, reference_data, role):
    user = factories.user_with_role(role, username=f"first_{role}")
    response = client.post(reverse("login"), {"username": user.username, "password": factories.PASSWORD})
    response = client.get(response.url)
    assert response.status_code == 302 and response.url.startswith(SETUP)
    page = client.get(response.url).content.decode()
    assert "<svg" in page and 'data-testid="totp-qr"' in page
    key = secret_on_page(page)
    device = TOTPDevice.objects.get(user=user)
    assert key == device.bin_key and not device.confirmed
    assert 'src="http' not in page  # the QR code is inline, no outside asset

    wrong = client.post(SETUP, {"code": f"{(totp(key) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    assert client.get(reverse("home")).url.startswith(SETUP)  # still nothing else

    response = client.post(SETUP, {"code": f"{totp(key):06d}"})
    assert response.status_code == 302 and response.url.startswith(RECOVERY)
    page = client.get(response.url).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(user=user, action=AuditEvent.Action.OTP_ENROL).count() == 1

    again = client.get(RECOVERY).content.decode()
    assert not any(code in again for code in codes), "recovery codes are shown once"
    assert "10 unused recovery codes" in again


def test_a_reloaded_setup_page_keeps_the_secret_the_user_may_have_scanned(client, head):
    sign_in(client, head)
    first = secret_on_page(client.get(SETUP).content.decode())
    assert secret_on_page(client.get(SETUP).content.decode()) == first


def test_a_forced_password_change_comes_before_the_app(client, head):
    account_require_password_change(user=head)
    response = client.post(reverse("login"), {"username": "kepala", "password": factories.PASSWORD})
    response = client.get(response.url)
    assert response.url.startswith(reverse("password_change"))
    response = client.post(reverse("password_change"), {
        "old_password": factories.PASSWORD, "new_password1": "Tanjung-Redeb-77", "new_password2": "Tanjung-Redeb-77",
    })
    response = client.get(response.url)
    assert response.url == SETUP  # after the set-up, on to the home page, not the password form


def test_the_next_login_asks_for_a_code_from_the_app(client, enrolled_head):
    response = sign_in(client, enrolled_head)
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert client.get(reverse("dashboard")).url.startswith(VERIFY)
    device = TOTPDevice.objects.get(user=enrolled_head, confirmed=True)

    wrong = client.post(VERIFY, {"code": "000000" if app_code(device, steps_ahead=1) != "000000" else "111111"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()

    response = client.post(f"{VERIFY}?next={reverse('dashboard')}", {"code": app_code(device, steps_ahead=1)})
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(user=enrolled_head, action=AuditEvent.Action.OTP_VERIFY).exists()


def test_a_code_already_used_is_refused(client, enrolled_head):
    device = TOTPDevice.objects.get(user=enrolled_head, confirmed=True)
    code = app_code(device, steps_ahead=1)
    sign_in(client, enrolled_head)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, enrolled_head)
    assert client.post(VERIFY, {"code": code}).status_code == 200
    assert client.get(reverse("home")).url.startswith(VERIFY)


def test_a_recovery_code_works_once(client, head):
    codes = enrol(client, head)
    client.post(reverse("logout"))
    sign_in(client, head)
    response = client.post(VERIFY, {"code": codes[0].upper()[:4] + " " + codes[0].upper()[4:]})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "recovery code" in page and "9 codes are left" in page
    assert StaticToken.objects.filter(device__user=head).count() == 9
    event = AuditEvent.objects.get(user=head, action=AuditEvent.Action.OTP_RECOVERY)
    assert event.detail == {"left": 9}

    client.post(reverse("logout"))
    sign_in(client, head)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert client.get(reverse("home")).url.startswith(VERIFY)
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, head):
    old = enrol(client, head)
    response = client.post(RECOVERY)
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", client.get(response.url).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.post(reverse("logout"))
    sign_in(client, head)
    assert client.post(VERIFY, {"code": old[0]}).status_code == 200
    assert client.post(VERIFY, {"code": new[0]}).status_code == 302
    assert AuditEvent.objects.filter(user=head, action=AuditEvent.Action.OTP_NEW_CODES).count() == 1


@pytest.mark.parametrize("enrolled", [False, True])
def test_an_unverified_head_reaches_nothing_but_the_second_factor(client, head, enrolled):
    from referrals import services as rs

    if enrolled:
        enrol(client, head)
        client.post(reverse("logout"))
    page = VERIFY if enrolled else SETUP
    sign_in(client, head)
    for url in (reverse("home"), reverse("dashboard"), reverse("drill_persons") + "?export=csv",
                reverse("audit:log"), reverse("admin:index"), reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(page), url
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()

    recommendation = rs.recommendation_request(person=factories.PersonFactory(), reason="r", assessment="a",
                                               requested_by=factories.user_with_role("front_desk", username="rina"))
    response = client.post(reverse("referrals:recommendation_decide", args=[recommendation.pk]),
                           {"decision": "refuse", "note": "x"})
    assert response.status_code == 302 and response.url.startswith(page)
    recommendation.refresh_from_db()
    assert recommendation.status == "requested"

    htmx = client.get(reverse("dashboard"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith(page)


def test_an_unverified_data_officer_cannot_export_the_registry(client, data_officer):
    sign_in(client, data_officer)
    response = client.get(reverse("registry:export_proposal"))
    assert response.status_code == 302 and response.url.startswith(SETUP)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize("role", ["front_desk", "desk_officer", "surveyor", "validator"])
def test_other_roles_are_not_asked(client, reference_data, role):
    user = factories.user_with_role(role, username=f"other_{role}")
    response = sign_in(client, user)
    assert response.status_code == 200
    assert client.get(SETUP).url == reverse("home")
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_seed_demo_for_training_rooms_exempts_the_demo_accounts_visibly(client, reference_data):
    out = StringIO()
    call_command("seed_demo", "--households", "1", "--keep-demo-passwords", stdout=out)
    assert "data, kepala, admin: no second factor" in out.getvalue()
    kepala = User.objects.get(username="kepala")
    assert kepala.security.second_factor_exempt
    assert sign_in(client, kepala, DEMO_PASSWORD).status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_CHANGE, object_id=str(kepala.pk),
                                     summary__contains="exempt False → True").exists()


def test_seed_demo_without_the_flag_asks_the_demo_head_for_an_app(client, reference_data):
    call_command("seed_demo", "--households", "1", "--keep-demo-passwords", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "data, kepala, admin: set up an authenticator app" in out.getvalue()
    kepala = User.objects.get(username="kepala")
    assert not kepala.security.second_factor_exempt
    response = sign_in(client, kepala, DEMO_PASSWORD)
    assert response.status_code == 302 and response.url.startswith(SETUP)


def test_the_exemption_cannot_be_set_in_the_admin(client, admin, head):
    from pandu.admin import AccountSecurityInline

    assert "second_factor_exempt" in AccountSecurityInline.readonly_fields


def test_wrong_codes_lock_the_second_factor_like_wrong_passwords(client, enrolled_head, settings):
    settings.AXES_FAILURE_LIMIT = 3
    device = TOTPDevice.objects.get(user=enrolled_head, confirmed=True)
    right = app_code(device, steps_ahead=1)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    sign_in(client, enrolled_head)
    for _ in range(3):
        assert client.post(VERIFY, {"code": wrong}).status_code == 200
    locked = client.post(VERIFY, {"code": right})
    assert locked.status_code == 429
    assert "Too many wrong codes" in locked.content.decode()
    assert client.get(reverse("home")).url.startswith(VERIFY)
    # logging in again does not start the count afresh
    client.post(reverse("logout"))
    sign_in(client, enrolled_head)
    assert client.post(VERIFY, {"code": right}).status_code == 429
    assert AuditEvent.objects.filter(user=enrolled_head, action=AuditEvent.Action.OTP_FAILED).count() == 3


def test_the_lock_ends_after_the_cool_off(client, enrolled_head, settings):
    settings.AXES_FAILURE_LIMIT = 2
    sign_in(client, enrolled_head)
    for _ in range(2):
        client.post(VERIFY, {"code": "abcdefgh"})
    device = TOTPDevice.objects.get(user=enrolled_head, confirmed=True)
    assert client.post(VERIFY, {"code": app_code(device, steps_ahead=1)}).status_code == 429
    AuditEvent.objects.filter(action=AuditEvent.Action.OTP_FAILED).update(
        at=AuditEvent.objects.latest("at").at - datetime.timedelta(minutes=16))
    assert client.post(VERIFY, {"code": app_code(device, steps_ahead=1)}).status_code == 302


def test_wrong_codes_at_the_setup_count_too(client, head, settings):
    settings.AXES_FAILURE_LIMIT = 2
    sign_in(client, head)
    key = secret_on_page(client.get(SETUP).content.decode())
    wrong = f"{(totp(key) + 1) % 1_000_000:06d}"
    client.post(SETUP, {"code": wrong})
    client.post(SETUP, {"code": wrong})
    assert client.post(SETUP, {"code": f"{totp(key):06d}"}).status_code == 429


def test_the_administrator_resets_a_lost_second_factor_and_it_is_audited(client, enrolled_head, admin):
    enrol(client, admin)
    url = reverse("second_factor_reset", args=[enrolled_head.pk])
    page = client.get(url).content.decode()
    assert "Authenticator app set up" in page and "10 unused recovery codes" in page
    assert TOTPDevice.objects.filter(user=enrolled_head).exists()  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert "was reset" in client.get(response.url).content.decode()
    assert not TOTPDevice.objects.filter(user=enrolled_head).exists()
    assert not StaticToken.objects.filter(device__user=enrolled_head).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.OTP_RESET)
    assert event.user == admin and event.object_id == str(enrolled_head.pk)

    other = Client(headers={"Accept-Language": "en"})
    response = sign_in(other, enrolled_head)
    assert response.url.startswith(SETUP)


def test_a_reset_signs_out_the_second_factor_of_open_sessions(client, head, admin):
    enrol(client, head)
    assert client.get(reverse("dashboard")).status_code == 200
    from pandu.second_factor import second_factor_reset

    second_factor_reset(user=head, reset_by=admin)
    assert client.get(reverse("dashboard")).url.startswith(SETUP)


def test_a_reset_lifts_the_lock(client, enrolled_head, admin, settings):
    from pandu.second_factor import second_factor_reset

    settings.AXES_FAILURE_LIMIT = 1
    sign_in(client, enrolled_head)
    client.post(VERIFY, {"code": "abcdefgh"})
    second_factor_reset(user=enrolled_head, reset_by=admin)
    key = secret_on_page(client.get(SETUP).content.decode())
    assert client.post(SETUP, {"code": f"{totp(key):06d}"}).status_code == 302


@pytest.mark.parametrize("role", ["head", "data_officer", "front_desk", "desk_officer"])
def test_only_the_administrator_resets_a_second_factor(client, enrolled_head, reference_data, role):
    outsider = factories.user_with_role(role, username=f"not_admin_{role}")
    second_factor_exempt_set(user=outsider, exempt=True)  # past the second factor: the role check answers
    sign_in(client, outsider)
    url = reverse("second_factor_reset", args=[enrolled_head.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=enrolled_head).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.OTP_RESET).exists()


def test_a_superusers_second_factor_is_reset_only_by_a_superuser(client, admin):
    root = User.objects.create_superuser("root", password=factories.PASSWORD)
    second_factor_exempt_set(user=admin, exempt=True)
    sign_in(client, admin)
    assert client.post(reverse("second_factor_reset", args=[root.pk])).status_code == 403


def test_a_superuser_is_asked_like_the_administrator(client, reference_data):
    root = User.objects.create_superuser("root", password=factories.PASSWORD)
    assert sign_in(client, root).url.startswith(SETUP)
    assert client.get(reverse("admin:index")).url.startswith(SETUP)


def test_the_language_switch_and_logout_stay_open(client, head):
    sign_in(client, head)
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_the_admins_account_page_leads_to_the_reset(client, enrolled_head, admin):
    enrol(client, admin)
    page = client.get(reverse("admin:auth_user_change", args=[enrolled_head.pk])).content.decode()
    assert reverse("second_factor_reset", args=[enrolled_head.pk]) in page
    assert "authenticator app set up" in page


def test_the_session_gets_a_new_id_when_the_code_is_given(client, enrolled_head):
    sign_in(client, enrolled_head)
    before = client.cookies["sessionid"].value
    device = TOTPDevice.objects.get(user=enrolled_head, confirmed=True)
    assert client.post(VERIFY, {"code": app_code(device, steps_ahead=1)}).status_code == 302
    assert client.cookies["sessionid"].value != before
    assert client.get(reverse("dashboard")).status_code == 200
