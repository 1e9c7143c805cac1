"""The citizens' status check: a kiosk page with no login. Ticket or referral number plus the date
of birth → where it stands and what to do, with no personal data; no oracle; rate-limited; logged
without the birth date."""

import datetime
import re

import pytest
from django.urls import reverse

from desks import services as desk_services
from desks.models import Desk
from pandu.models import AuditEvent
from referrals import services
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("referrals:status_check")
BORN = datetime.date(1985, 3, 12)


@pytest.fixture
def person(reference_data):
    household = factories.HouseholdFactory(registry_status="listed", address="Jl. Cendrawasih Gg. Mawar No. 77",
                                           kk_number="6403050101999999")
    return factories.PersonFactory(household=household, full_name="Fatimah Zahra Binti Umar", birth_date=BORN)


@pytest.fixture
def referral(make_referral, person):
    return make_referral("DINKES-BEROBAT", person=person)


def _ask(client, number, born=BORN, **extra):
    return client.post(URL, {"number": number, "birth_date": born.isoformat()}, **extra)


def _personal(person) -> list[str]:
    household = person.household
    return [person.full_name, "Fatimah", person.nik, household.address, "Cendrawasih", household.kk_number,
            BORN.isoformat(), "1985"]


def test_the_page_is_a_form_for_anyone(client, reference_data):
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'method="post"' in page and 'name="number"' in page and 'type="date"' in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page


def test_a_referral_says_where_it_stands_and_what_to_do_without_personal_data(client, referral, person, front_desk):
    services.referral_transition(referral=referral, action="receive", actor=front_desk)
    services.referral_transition(referral=referral, action="accept", actor=front_desk)
    response = _ask(client, referral.number.lower().replace("/", " / "))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="status-answer"' in page
    assert "was accepted by Dinas Kesehatan" in page and "your KTP" in page
    for text in _personal(person):
        assert text not in page, text
    assert response["Cache-Control"].startswith("no-store")


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("sent", "was sent to Dinas Kesehatan"),
        ("received", "received your referral"),
        ("returned", "documents are missing"),
        ("rejected", "declined your referral"),
        ("cancelled", "The office cancelled"),
    ],
)
def test_every_state_has_plain_words(client, make_referral, person, status, said):
    referral = make_referral("DINKES-BEROBAT", person=person, status=status)
    page = _ask(client, referral.number).content.decode()
    assert said in page and 'data-testid="status-next"' in page


def test_a_wrong_birth_date_and_an_unknown_number_get_the_same_answer(client, referral):
    wrong_date = _ask(client, referral.number, born=BORN + datetime.timedelta(days=1))
    unknown = _ask(client, "9999/RJK/UPTD-PTKS/I/2026")
    assert wrong_date.status_code == unknown.status_code == 200

    def answer(response):
        page = response.content.decode()
        main = page[page.index("<main"):page.index("</main>")]
        return re.sub(r'value="[A-Za-z0-9]{64}"', "", main)  # the CSRF token differs each time

    assert 'data-testid="status-not-found"' in answer(wrong_date)
    assert answer(wrong_date).replace(referral.number, "") == answer(unknown).replace("9999/RJK/UPTD-PTKS/I/2026", "")
    assert referral.number not in answer(wrong_date)


def test_todays_ticket_says_where_the_visit_stands_and_its_referrals(client, person, front_desk):
    registration = Desk.objects.get(code="REG")
    desk_services.ticket_issue(desk=registration)
    ticket = desk_services.ticket_issue(desk=registration, person=person)
    services.case_open(person=person, pathway="listed", decided_by=front_desk, ticket=ticket,
                       services=_services("DINKES-BEROBAT"))
    page = _ask(client, ticket.number.replace("-", "").lower()).content.decode()
    assert f"Ticket {ticket.number}" in page
    assert "1 person is before you" in page
    assert "was sent to Dinas Kesehatan" in page
    for text in _personal(person):
        assert text not in page, text


def _services(*codes):
    from desks.models import Service

    return list(Service.objects.filter(code__in=codes))


def test_yesterdays_ticket_is_not_found(client, person):
    ticket = desk_services.ticket_issue(desk=Desk.objects.get(code="REG"), person=person)
    type(ticket).objects.filter(pk=ticket.pk).update(issued_on=ticket.issued_on - datetime.timedelta(days=1))
    assert 'data-testid="status-not-found"' in _ask(client, ticket.number).content.decode()


def test_guessing_is_refused_after_the_limit_per_address(client, referral, settings):
    settings.STATUS_CHECK_LIMIT = 10
    for day in range(10):
        response = _ask(client, referral.number, born=datetime.date(1980, 1, 1) + datetime.timedelta(days=day))
        assert response.status_code == 200
    refused = _ask(client, referral.number)  # even the right date: the address is over its limit
    assert refused.status_code == 429
    page = refused.content.decode()
    assert 'data-testid="status-refused"' in page and "Wait 10 minutes" in page
    assert 'data-testid="status-answer"' not in page
    # Another address is not held back by this one.
    other = _ask(client, referral.number, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200 and 'data-testid="status-answer"' in other.content.decode()


def test_the_offices_kiosk_gets_a_larger_allowance(client, referral, settings):
    settings.STATUS_CHECK_LIMIT, settings.STATUS_CHECK_KIOSK_LIMIT = 2, 4
    settings.STATUS_CHECK_KIOSKS = ["10.9.0.0/24"]
    statuses = [_ask(client, referral.number, REMOTE_ADDR="10.9.0.7").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_every_look_up_is_logged_without_the_birth_date(client, referral):
    _ask(client, referral.number)
    _ask(client, "A-123", born=datetime.date(1990, 7, 4))
    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHECK).order_by("at", "pk"))
    assert [(e.detail["number"], e.detail["found"], e.ip_address) for e in events] == [
        (referral.number, True, "127.0.0.1"), ("A-123", False, "127.0.0.1")]
    for event in events:
        logged = f"{event.summary} {event.detail}"
        for text in ("1985", "03-12", "12-03", "1990", "07-04", "1985-03-12", "1990-07-04"):
            assert text not in logged.replace(referral.number, ""), text


def test_the_number_and_date_never_travel_in_the_url(client, referral):
    response = client.get(URL, {"number": referral.number, "birth_date": BORN.isoformat()})
    assert 'data-testid="status-answer"' not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHECK).exists()
