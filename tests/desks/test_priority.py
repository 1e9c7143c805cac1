"""Priority for vulnerable citizens (UU 25/2009 pasal 29): what a ticket records at issue, the
priority found on the linked person's record, priority called first, and the fairness rule that
keeps regular tickets from being starved."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from desks import selectors, services
from desks.models import Desk, Ticket
from tests import factories

ELDERLY = Ticket.Priority.ELDERLY


@pytest.fixture
def registration(reference_data):
    return Desk.objects.get(code="REG")


def _born_years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) + datetime.timedelta(days=days)


def _issue(desk, *labels):
    """Issue one ticket per label: "P" a priority ticket (pregnant), "R" a regular one."""
    return [
        services.ticket_issue(desk=desk, priority=Ticket.Priority.PREGNANT if label == "P" else "")
        for label in labels
    ]


def _call_all(desk, officer) -> list[str]:
    numbers = []
    while (ticket := services.ticket_call_next(desk=desk, officer=officer)) is not None:
        numbers.append(ticket.number)
    return numbers


@pytest.mark.django_db
def test_purpose_and_stated_priority_are_stored(registration):
    ticket = services.ticket_issue(desk=registration, purpose=Ticket.Purpose.COMPLAINT, priority=Ticket.Priority.WITH_CHILD)
    ticket.refresh_from_db()
    assert ticket.purpose == "complaint" and ticket.priority == "with_child"
    assert ticket.priority_source == Ticket.PrioritySource.STATED
    plain = services.ticket_issue(desk=registration)
    plain.refresh_from_db()
    assert (plain.purpose, plain.priority, plain.priority_source) == ("", "", "")


@pytest.mark.django_db
def test_an_unknown_priority_is_refused(registration):
    with pytest.raises(ValidationError):
        services.ticket_issue(desk=registration, priority="vip")
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_linking_a_person_of_60_gives_the_elderly_priority_from_the_record(registration):
    ticket = services.ticket_issue(desk=registration)
    services.ticket_link_person(ticket=ticket, person=factories.PersonFactory(birth_date=_born_years_ago(60)))
    ticket.refresh_from_db()
    assert ticket.priority == ELDERLY and ticket.priority_source == Ticket.PrioritySource.RECORD


@pytest.mark.django_db
def test_a_person_one_day_short_of_60_gets_no_priority(registration):
    ticket = services.ticket_issue(desk=registration)
    services.ticket_link_person(ticket=ticket, person=factories.PersonFactory(birth_date=_born_years_ago(60, days=1)))
    ticket.refresh_from_db()
    assert ticket.priority == "" and ticket.priority_source == ""


@pytest.mark.django_db
def test_a_recorded_disability_gives_the_disability_priority(registration):
    ticket = services.ticket_issue(desk=registration)
    services.ticket_link_person(ticket=ticket, person=factories.PersonFactory(disability="Tunanetra"))
    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.DISABILITY and ticket.priority_source == "record"


@pytest.mark.django_db
def test_a_stated_priority_is_kept_and_a_record_priority_follows_the_person(registration):
    elderly = factories.PersonFactory(birth_date=_born_years_ago(70))
    stated = services.ticket_issue(desk=registration, priority=Ticket.Priority.PREGNANT)
    services.ticket_link_person(ticket=stated, person=elderly)
    stated.refresh_from_db()
    assert (stated.priority, stated.priority_source) == ("pregnant", "stated")

    ticket = services.ticket_issue(desk=registration)
    services.ticket_link_person(ticket=ticket, person=elderly)
    # linked to the wrong person at first: the right one is 39, so no priority
    services.ticket_link_person(ticket=ticket, person=factories.PersonFactory())
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_source) == ("", "")


@pytest.mark.django_db
def test_a_priority_ticket_is_called_before_older_regular_ones(registration, front_desk):
    _issue(registration, "R", "R", "P")
    assert services.ticket_call_next(desk=registration, officer=front_desk).number == "A-003"
    assert _call_all(registration, front_desk) == ["A-001", "A-002"]


@pytest.mark.django_db
def test_a_ticket_linked_to_an_elderly_person_moves_ahead(registration, front_desk):
    _issue(registration, "R", "R")
    late = services.ticket_issue(desk=registration)
    services.ticket_link_person(ticket=late, person=factories.PersonFactory(birth_date=_born_years_ago(75)))
    assert services.ticket_call_next(desk=registration, officer=front_desk).number == "A-003"


@pytest.mark.django_db
def test_fairness_after_three_priority_calls_the_longest_waiting_regular_ticket_goes(
    registration, front_desk, settings
):
    settings.QUEUE_PRIORITY_STREAK = 3
    # two regular citizens, then five priority ones
    _issue(registration, "R", "R", "P", "P", "P", "P", "P")
    expected = ["A-003", "A-004", "A-005", "A-001", "A-006", "A-007", "A-002"]
    assert [step.ticket.number for step in selectors.call_order(registration)] == expected
    assert _call_all(registration, front_desk) == expected


@pytest.mark.django_db
def test_fairness_gives_the_turn_to_whoever_waited_longest_even_a_priority_ticket(
    registration, front_desk, settings
):
    settings.QUEUE_PRIORITY_STREAK = 3
    # four priority citizens came before the regular one: the fourth has still waited longer
    _issue(registration, "P", "P", "P", "P", "R", "P")
    expected = ["A-001", "A-002", "A-003", "A-004", "A-005", "A-006"]
    assert [step.ticket.number for step in selectors.call_order(registration)] == expected
    assert _call_all(registration, front_desk) == expected


@pytest.mark.django_db
def test_the_streak_is_counted_across_presses_and_newcomers(registration, front_desk, settings):
    settings.QUEUE_PRIORITY_STREAK = 2
    _issue(registration, "R", "P", "P")
    assert _call_all(registration, front_desk) == ["A-002", "A-003", "A-001"]
    # the last call was regular: priority goes first again
    _issue(registration, "R", "P")
    assert services.ticket_call_next(desk=registration, officer=front_desk).number == "A-005"


@pytest.mark.django_db
def test_a_streak_of_zero_turns_priority_off(registration, front_desk, settings):
    settings.QUEUE_PRIORITY_STREAK = 0
    _issue(registration, "R", "P")
    assert _call_all(registration, front_desk) == ["A-001", "A-002"]


@pytest.mark.django_db(transaction=True)
def test_two_desks_calling_at_once_with_priority_tickets_never_get_the_same_ticket(reference_data, front_desk):
    registration = Desk.objects.get(code="REG")
    _issue(registration, "R", "P", "R", "P", "P", "R", "P", "R")
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def caller():
        try:
            barrier.wait()
            for _ in range(4):
                results.append(services.ticket_call_next(desk=registration, officer=front_desk).number)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=caller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [f"A-{n:03d}" for n in range(1, 9)]
    assert Ticket.objects.filter(status=Ticket.Status.CALLED).count() == 8
