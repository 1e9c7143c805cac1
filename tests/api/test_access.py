"""Every URL of the API namespace, enumerated from the resolver as the access matrix does
(tests/test_access_matrix.py leaves the namespace to this file): without a token 401, with a
session of any role 401 too (the API takes no cookies), with another provider's token 404; the
schema and the docs are public and load nothing from outside."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from referrals import services
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

PUBLIC = {"api:schema", "api:docs"}
POSTS = {"api:referral-receive", "api:referral-accept", "api:referral-reject", "api:referral-return",
         "api:referral-complete"}


def _api_patterns(patterns=None, namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            yield from _api_patterns(pattern.url_patterns, inner)
        elif pattern.name and namespace == "api":
            yield f"api:{pattern.name}", pattern.pattern.regex.groupindex


def _url(name, groups, referral, attachment):
    args = {"pk": referral.pk, "attachment_id": attachment.pk}
    return reverse(name, kwargs={key: args[key] for key in groups})


@pytest.fixture
def attached(make_referral, front_desk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    referral = make_referral()
    attachment = services.referral_attach(referral=referral, actor=front_desk,
                                          upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 scan"))
    return referral, attachment


def test_every_api_url_refuses_without_a_token_and_to_another_provider(attached, disdik_token, client):
    referral, attachment = attached
    names = dict(_api_patterns())
    assert set(names) >= PUBLIC | POSTS | {"api:referrals", "api:referral", "api:referral-letter",
                                           "api:attachments", "api:attachment-download"}
    client.force_login(factories.user_with_role("admin", username="m_admin"))
    other = client_for(disdik_token.secret)
    for name, groups in names.items():
        if name in PUBLIC:
            continue
        url = _url(name, groups, referral, attachment)
        method = "post" if name in POSTS else "get"
        assert getattr(APIClient(), method)(url).status_code == 401, name
        assert getattr(client, method)(url).status_code == 401, f"session {name}"
        if groups:
            assert getattr(other, method)(url, {}, format="json").status_code == 404, f"other provider {name}"
        else:
            assert other.get(url).json()["results"] == []


def test_the_schema_and_the_docs_are_public_and_served_locally(client):
    schema = client.get(reverse("api:schema") + "?format=json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in src for src in sources)
    assert all(src.startswith("/") for src in sources), sources  # no CDN
    assert "<script>" not in html  # the CSP allows no inline script
    for src in sources:
        if src.startswith(settings.STATIC_URL) or src.startswith("/" + settings.STATIC_URL):
            assert finders.find(src.split("?")[0].split(settings.STATIC_URL.strip("/") + "/", 1)[1]), src
