"""The distinct persons served in a period (a ticket issued to them, or a case opened for them),
read from the served-day counters, equal a plain count of the rows for any period; the counters
stay exact when tickets are linked to a person, moved to another person or day, and removed,
when cases are deleted, when many persons change at once, and when two desks serve the same
person at the same moment."""

from __future__ import annotations

import datetime
import random
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from desks.models import Desk, Ticket
from pandu.counters import differences
from pandu.office.selectors import persons_served
from referrals.models import Case, ServedDay
from tests import factories

TODAY = datetime.date(2026, 11, 28)
PERIODS = [
    (datetime.date(2025, 11, 28), TODAY),                      # a year and a day
    (datetime.date(2026, 1, 1), TODAY),
    (datetime.date(2026, 5, 10), datetime.date(2026, 5, 20)),  # days within one month
    (datetime.date(2026, 4, 30), datetime.date(2026, 6, 1)),
    (TODAY, TODAY),                                            # one day
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _ticket(desk, person, day, sequence):
    return Ticket.objects.create(number=f"A-{sequence:03d}", issued_on=day, sequence=sequence, origin_desk=desk,
                                 desk=desk, person=person)


def _case(person, made, user):
    case = Case.objects.create(person=person, registry_status="listed", proposed_pathway="listed", pathway="listed",
                               pathway_decided_by=user, created_by=user)
    Case.objects.filter(pk=case.pk).update(created_at=made)
    return case


@pytest.fixture
def visits(reference_data, front_desk):
    """12 persons over 14 months: 150 tickets (some without a person, several on one person's same
    day) and 60 cases opened at midnight, in the morning and late in the evening (WITA)."""
    rng = random.Random(7)
    desk = Desk.objects.order_by("pk").first()
    persons = [factories.PersonFactory() for _ in range(12)]
    for sequence in range(1, 151):
        day = TODAY - datetime.timedelta(days=rng.randrange(0, 420))
        _ticket(desk, rng.choice([*persons, None]), day, sequence)
    for _ in range(60):
        _case(rng.choice(persons), _at(TODAY - datetime.timedelta(days=rng.randrange(0, 420)),
                                       rng.choice((0, 7, 23))), front_desk)
    return persons


def _plain(date_from, date_to) -> int:
    served = {t.person_id for t in Ticket.objects.exclude(person=None) if date_from <= t.issued_on <= date_to}
    served |= {c.person_id for c in Case.objects.all()
               if date_from <= timezone.localtime(c.created_at).date() <= date_to}
    return len(served)


@pytest.mark.django_db
@pytest.mark.parametrize("date_from, date_to", PERIODS)
def test_persons_served_equal_a_plain_count(visits, date_from, date_to):
    assert persons_served(date_from=date_from, date_to=date_to)["persons"] == _plain(date_from, date_to)


@pytest.mark.django_db
def test_linking_moving_and_removing_keeps_the_counters_exact(visits, front_desk):
    first, second = visits[:2]
    unlinked = Ticket.objects.filter(person=None).first()
    Ticket.objects.filter(pk=unlinked.pk).update(person=first)                   # linked at registration
    Ticket.objects.filter(person=first).update(person=second)                    # a merge moves them
    Case.objects.filter(person=first).update(person=second)
    Ticket.objects.filter(pk=Ticket.objects.filter(person=second).first().pk).update(
        issued_on=TODAY - datetime.timedelta(days=3))                          # another day
    Ticket.objects.filter(person=visits[2]).delete()
    Case.objects.filter(person=visits[3]).delete()
    _ticket(Desk.objects.order_by("pk").first(), visits[4], TODAY, 999)
    _case(visits[4], _at(TODAY, 23), front_desk)                                 # the same day, late
    assert differences() == []
    for date_from, date_to in PERIODS:
        assert persons_served(date_from=date_from, date_to=date_to)["persons"] == _plain(date_from, date_to)


@pytest.mark.django_db
def test_a_statement_over_many_persons_counts_everything_again(visits):
    ServedDay.objects.filter(day=TODAY).update(persons=1000)  # a wrong counter, as after a bad restore
    with connection.cursor() as cursor:
        cursor.execute("SELECT pandu_count_served(ARRAY(SELECT generate_series(1, 1001)::bigint))")
    assert differences() == []


@pytest.mark.django_db(transaction=True)
def test_two_desks_serving_one_person_at_once_count_one_after_the_other(reference_data, front_desk):
    person = factories.PersonFactory()
    desk = Desk.objects.order_by("pk").first()
    _ticket(desk, person, TODAY - datetime.timedelta(days=10), 1)
    first_written, other_done = threading.Event(), threading.Event()
    failures = []

    def the_other_desk():
        try:
            with transaction.atomic():
                first_written.wait(10)
                _case(person, _at(TODAY - datetime.timedelta(days=5), 9), front_desk)
        except Exception as error:  # noqa: BLE001 - the test reports what the other desk got
            failures.append(error)
        finally:
            connections.close_all()
            other_done.set()

    other = threading.Thread(target=the_other_desk)
    other.start()
    with transaction.atomic():
        _ticket(desk, person, TODAY, 2)
        first_written.set()
        # the other desk's case waits for this person's days to be counted and committed
        assert not other_done.wait(1)
    other.join(10)
    assert other_done.is_set() and failures == []
    assert Case.objects.filter(person=person).count() == 1  # the other desk's case was stored
    assert differences() == []
    assert persons_served(date_from=TODAY - datetime.timedelta(days=10), date_to=TODAY)["persons"] == 1
    assert persons_served(date_from=TODAY - datetime.timedelta(days=5), date_to=TODAY)["persons"] == 1
