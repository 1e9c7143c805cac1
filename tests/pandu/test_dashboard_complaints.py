"""The head's dashboard counts complaints received, resolved and overdue in its period."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import Complaint, Region
from tests import factories


@pytest.fixture(autouse=True)
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def complaints(reference_data, head):
    """In Tanjung Redeb this year: 2 wrong data (1 resolved), 1 overdue not in the database; last
    year: 1 overdue (outside the period); in Sambaliung: 1 service complaint."""
    officer = factories.user_with_role("data_officer", username="dani")
    here = factories.HouseholdFactory(village=Region.objects.get(code="64.03.05.1004"), registry_status="not_listed")
    there = factories.HouseholdFactory(village=Region.objects.get(code="64.03.01.2001"))

    def file(kind, household, *, days_ago=0, due_days_ago=None):
        c = services.complaint_file(kind=kind, description="x", household=household, received_by=officer)
        now = timezone.now()
        Complaint.objects.filter(pk=c.pk).update(
            created_at=now - datetime.timedelta(days=days_ago),
            due_on=c.due_on if due_days_ago is None else timezone.localdate() - datetime.timedelta(days=due_days_ago))
        return c

    resolved = file("wrong_data", here)
    services.complaint_set_status(complaint=resolved, status="resolved", resolution="ok", officer=officer)
    file("wrong_data", here)
    file("not_in_database", here, due_days_ago=2)
    file("wrong_data", here, days_ago=400, due_days_ago=300)
    file("service_complaint", there)


def _period(**extra):
    today = timezone.localdate()
    return {"date_from": (today - datetime.timedelta(days=30)).isoformat(), "date_to": today.isoformat(), **extra}


@pytest.mark.django_db
def test_the_dashboard_counts_complaints_received_resolved_and_overdue_in_its_period(client, head, complaints):
    client.force_login(head)
    data = client.get(reverse("dashboard"), _period()).context["data"]["complaints"]
    assert {k: data["totals"][k] for k in ("received", "resolved", "rejected", "open", "overdue")} == {
        "received": 4, "resolved": 1, "rejected": 0, "open": 3, "overdue": 1}
    wrong = next(row for row in data["per_kind"] if row["kind"] == "wrong_data")
    assert (wrong["received"], wrong["resolved"], wrong["overdue"]) == (2, 1, 0)
    one_kecamatan = client.get(reverse("dashboard"), _period(kecamatan="64.03.01")).context["data"]["complaints"]
    assert one_kecamatan["totals"]["received"] == 1


@pytest.mark.django_db
def test_each_complaint_figure_drills_down_to_its_list(client, head, complaints):
    client.force_login(head)
    page = client.get(reverse("dashboard"), _period()).content.decode()
    assert 'data-testid="complaints-overdue"' in page
    overdue = client.get(reverse("drill_complaints"), _period(state="overdue"))
    assert overdue.context["total"] == 1 and overdue.context["rows"][0][2] == "Poor but not in the database"
    resolved = client.get(reverse("drill_complaints"), _period(state="resolved", kind="wrong_data"))
    assert resolved.context["total"] == 1
    assert client.get(reverse("drill_complaints"), _period(state="received")).context["total"] == 4


@pytest.mark.django_db
def test_a_desk_officer_sees_no_complaint_figures_and_no_list(client, alice, charlie, complaints):
    client.force_login(charlie)
    page = client.get(reverse("dashboard"), _period())
    assert "complaints" not in page.context["data"]
    assert 'data-testid="complaints-section"' not in page.content.decode()
    assert client.get(reverse("drill_complaints"), _period(state="overdue")).status_code == 403
    client.force_login(factories.user_with_role("surveyor", username="sur"))
    assert client.get(reverse("drill_complaints"), _period()).status_code == 403
