"""Shared fixtures: the office's reference data and the named people of the tests.

alice works at the Dinas Kesehatan desk (the owner), bob is her colleague at the same
provider, charlie is an officer of another provider (the outsider).
"""

import datetime
import os

import pytest
from django.core.management import call_command

from tests import factories


def _load_reference_data():
    with open(os.devnull, "w") as devnull:
        call_command("load_reference_data", stdout=devnull)


@pytest.fixture
def reference_data(db):
    """Berau's reference data. Loaded once into the test database when it is created (below);
    loaded again only after a transactional test emptied the tables."""
    from clients.models import Region

    if not Region.objects.exists():
        _load_reference_data()


@pytest.fixture
def empty_database(db):
    """No reference data, no rows at all (but Django's content types and permissions): a new
    office's first day. TRUNCATE is transactional in PostgreSQL: the test's rollback brings
    the session's reference data back."""
    from django.db import connection

    keep = {"django_content_type", "auth_permission", "django_migrations"}
    tables = [t for t in connection.introspection.django_table_names(only_existing=True) if t not in keep]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE")


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def english_messages():
    """The messages in English (the office's default is Indonesian): for tests that read them."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def dinkes(reference_data):
    from desks.models import Provider

    return Provider.objects.get(code="DINKES")


@pytest.fixture
def disdik(reference_data):
    from desks.models import Provider

    return Provider.objects.get(code="DISDIK")


@pytest.fixture
def alice(dinkes):
    return factories.officer(username="alice", provider=dinkes, desk_code="DINKES")


@pytest.fixture
def bob(dinkes):
    return factories.officer(username="bob", provider=dinkes)


@pytest.fixture
def charlie(disdik):
    return factories.officer(username="charlie", provider=disdik, desk_code="DISDIK")


@pytest.fixture
def front_desk(reference_data):
    return factories.user_with_role("front_desk", username="rina")


@pytest.fixture
def head(reference_data):
    return factories.user_with_role("head", username="kepala")


@pytest.fixture
def long_ago():
    return datetime.date(2020, 1, 1)


@pytest.fixture(autouse=True)
def force_login_passes_the_second_factor(request, monkeypatch):
    """``client.force_login(user)`` stands for a whole sign-in, the second factor included: the
    user gets a confirmed authenticator app (if they have none) and the session is verified with
    it, as after typing its code. Tests of the second factor itself sign in through the login
    page, or mark themselves ``@pytest.mark.real_second_factor`` to keep force_login bare."""
    if request.node.get_closest_marker("real_second_factor"):
        return
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    bare_force_login = Client.force_login

    def force_login(self, user, backend=None):
        bare_force_login(self, user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = factories.confirmed_app(user).persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's deliberate slowness protects real accounts; tests only need a hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media_in_tmp(settings, tmp_path):
    """Photos and attachments a test stores go to its own folder, never to .data/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Start every id above 10,000: an id printed as "12.345" (Indonesian digit grouping) in a
    form or an attribute is a bug the office would meet in its first month, so tests meet it first."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT schemaname || '.' || sequencename FROM pg_sequences WHERE schemaname = 'public'")
        for (sequence,) in cursor.fetchall():
            cursor.execute("SELECT setval(%s, 10000 + (SELECT coalesce(max(last_value), 0) FROM pg_sequences "
                           "WHERE schemaname || '.' || sequencename = %s))", [sequence, sequence])
        _load_reference_data()
