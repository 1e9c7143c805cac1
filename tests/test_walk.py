"""The walk: with the demo office's data, each demo role signs in and follows every link it
can reach (GET only, like a person clicking). No page may answer with a server error, and
no link shown to a role may lead to "forbidden" or "not found"."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from pandu.office.demo import DEMO_USERS
from tests.walk import route_of, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(reference_data):
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", "--keep-demo-passwords", stdout=devnull)
    # The planner's statistics of the demo, as autovacuum gives an office after seeding: the
    # test's rows are not committed, so it never would, and statistics left by an earlier test
    # of the same process once led the referral list into plans of half a minute a page.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def test_every_role_walks_every_link_without_an_error(demo, client):
    from referrals.models import ReferralEvent

    users = get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])
    assert users.count() == len(DEMO_USERS)
    client.raise_request_exception = False  # every failure of every role, not the first
    failures, routes = [], {}
    visited = {}
    for user in users.order_by("username"):
        client.force_login(user)
        # The admin site is Django's own pages over many tables: two of each kind are enough;
        # the head, who may open every referral and case, goes deepest; the others 8 a kind.
        result = walk(client, per_route={"admin": 2, "kepala": 25}.get(user.username, 8))
        failures += [f"{user.username}: {line}" for line in result.failures()]
        routes[user.username] = result.routes()
        visited[user.username] = set(result.statuses)
        client.logout()
    assert not failures, "\n".join(failures)

    # The walk reached the pages of each kind of work, not only the homes.
    assert "referrals:detail" in routes["kepala"]
    assert "clients:person_detail" in routes["loket"]
    assert {"referrals:case_detail", "clients:person_detail", "referrals:detail"} <= routes["peksos"]
    assert "verivali:assessment_detail" in routes["validator"] or "verivali:household" in routes["validator"]
    # Among them the referrals whose timeline holds a system event (no actor): the page that
    # once answered with a server error for every role.
    system_events = set(ReferralEvent.objects.filter(actor__isnull=True).values_list("referral_id", flat=True))
    assert system_events, "the demo data has a referral with a system event"
    assert {f"/referrals/{pk}/" for pk in system_events} <= visited["kepala"]


def test_the_walk_reports_a_server_error(head, client, monkeypatch):
    """The walk can fail: a page that raises is reported with the page that linked to it."""
    from pandu.office import views

    def broken(user):
        raise RuntimeError("boom")

    client.raise_request_exception = False
    monkeypatch.setattr(views, "home_context", broken)
    client.force_login(head)
    result = walk(client, limit=3)
    assert any(line.startswith("500 /") for line in result.failures())
    assert route_of("/") in {route_of(url) for url in result.statuses}
