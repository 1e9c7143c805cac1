"""``manage.py api_token``: create prints the token last, list shows it, revoke makes it 401."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from api.models import ApiToken
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def _run(*args) -> list[str]:
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_create_prints_the_token_alone_on_the_last_line_and_it_works(dinkes):
    lines = _run("create", "--provider", "dinkes", "--expires-days", "30")
    token = lines[-1]
    assert " " not in token and "." in token
    row = ApiToken.objects.get()
    assert row.provider == dinkes and token.startswith(row.prefix + ".")
    assert row.expires_at is not None
    assert client_for(token).get(reverse("api:referrals")).status_code == 200
    assert token not in "".join(ApiToken.objects.values_list("digest", flat=True))


def test_list_and_revoke_by_prefix(dinkes):
    token = _run("create", "--provider", "DINKES")[-1]
    prefix = token.split(".")[0]
    listing = _run("list")
    assert any(prefix in line and "active" in line for line in listing)
    assert listing[-1] == "tokens=1"
    assert _run("revoke", prefix[:6], "--dry-run")[-1].startswith("would revoke")
    assert client_for(token).get(reverse("api:referrals")).status_code == 200
    assert "revoked" in _run("revoke", prefix[:6])[-1]
    assert client_for(token).get(reverse("api:referrals")).status_code == 401
    assert any(prefix in line and "revoked" in line for line in _run("list"))


def test_revoke_by_id(dinkes):
    token = _run("create", "--provider", "DINKES")[-1]
    _run("revoke", str(ApiToken.objects.get().pk))
    assert client_for(token).get(reverse("api:referrals")).status_code == 401


def test_an_unknown_provider_is_refused(reference_data):
    with pytest.raises(CommandError, match="No provider"):
        _run("create", "--provider", "NOPE")
    assert not ApiToken.objects.exists()


def test_the_admin_lists_and_revokes_tokens(dinkes, client):
    from tests import factories

    token = _run("create", "--provider", "DINKES")[-1]
    row = ApiToken.objects.get()
    client.force_login(factories.user_with_role("admin", username="it", is_staff=True))
    page = client.get(reverse("admin:api_apitoken_changelist"))
    assert page.status_code == 200 and row.prefix in page.content.decode()
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403
    client.post(reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [row.pk]})
    assert client_for(token).get(reverse("api:referrals")).status_code == 401
