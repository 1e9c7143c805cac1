"""The reply slip (balasan rujukan): the letter carries a return code; at *Balasan masuk* the front
desk or the data desk types or scans it and records the agency's answer in one step."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from referrals import services
from referrals.models import RETURN_CODE_ALPHABET, Referral, ReferralEvent, normalise_return_code
from tests import factories
from tests.referrals.pdf import pdf_bytes_contain

pytestmark = pytest.mark.django_db

URL = reverse("referrals:reply_slips")


@pytest.fixture
def data_officer(reference_data):
    return factories.user_with_role("data_officer", username="dewi")


def _record(client, referral, decision, **fields):
    return client.post(URL, {"code": referral.return_code_display.lower(), "decision": decision, **fields})


def test_every_referral_gets_a_unique_readable_return_code(make_referral):
    referrals = [make_referral(), make_referral("DISDIK-BIAYA")]
    codes = {r.return_code for r in referrals}
    assert len(codes) == 2
    for code in codes:
        assert len(code) == 8 and set(code) <= set(RETURN_CODE_ALPHABET)
    assert not set(RETURN_CODE_ALPHABET) & set("0O1IL2Z5S8B")
    assert normalise_return_code(" acde-fh34 ") == "ACDEFH34"


def test_the_letter_carries_the_reply_slip_with_its_code(client, front_desk, make_referral):
    referral = make_referral()
    client.force_login(front_desk)
    response = client.get(reverse("referrals:letter", args=[referral.pk]))
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is in the test dependencies
        assert pdf_bytes_contain(body, referral.number.encode())
        return
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "BALASAN RUJUKAN" in text
    assert referral.return_code_display in text
    assert text.count(referral.number) >= 2  # the letter's number, and again on the slip


@pytest.mark.parametrize(
    ("start", "decision", "end", "outcome", "moves"),
    [
        ("sent", "receive", "received", "", ["receive"]),
        ("sent", "accept", "accepted", "", ["receive", "accept"]),
        ("received", "accept", "accepted", "", ["accept"]),
        ("sent", "granted", "completed", "granted", ["receive", "accept", "complete"]),
        ("received", "granted", "completed", "granted", ["accept", "complete"]),
        ("accepted", "granted", "completed", "granted", ["complete"]),
        ("sent", "not_granted", "completed", "not_granted", ["receive", "accept", "complete"]),
        ("sent", "reject", "rejected", "", ["reject"]),
        ("received", "reject", "rejected", "", ["reject"]),
        ("accepted", "reject", "rejected", "", ["reject"]),
        ("sent", "return", "returned", "", ["return"]),
        ("received", "return", "returned", "", ["return"]),
    ],
)
def test_a_slip_records_the_agencys_answer_from_each_state(client, front_desk, make_referral, start, decision, end,
                                                            outcome, moves):
    referral = make_referral("BAZNAS-SEHAT", status=start)  # Baznas has no desk in the office
    client.force_login(front_desk)
    response = _record(client, referral, decision, detail="Bantuan pengobatan Rp 1 juta",
                       aid_value="1000000" if decision == "granted" else "", slip_date="2026-01-05",
                       signed_by="Pak Rahman")
    assert response.status_code == 302 and response.url == URL
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (end, outcome)
    events = list(referral.events.exclude(action="create").order_by("at", "pk"))
    assert [e.action for e in events] == moves
    assert {e.channel for e in events} == {ReferralEvent.Channel.REPLY_SLIP}
    assert {e.actor for e in events} == {front_desk}
    assert "Pak Rahman" in events[-1].note
    if decision == "granted":
        assert referral.aid_value == 1_000_000 and referral.outcome_detail == "Bantuan pengobatan Rp 1 juta"
    # The page is ready for the next slip, this one listed below.
    page = client.get(URL).content.decode()
    assert 'data-testid="recent-slips"' in page and referral.number in page
    assert "autofocus" in page


def test_the_code_finds_the_referral_with_the_persons_name(client, data_officer, make_referral):
    referral = make_referral()
    client.force_login(data_officer)
    page = client.post(URL, {"code": referral.return_code.lower()}).content.decode()
    assert 'data-testid="slip-form"' in page
    assert referral.number in page and "Siti Aminah Binti Ahmad" in page and referral.provider.name in page


def test_a_wrong_code_says_so_and_records_nothing(client, front_desk, make_referral):
    referral = make_referral()
    client.force_login(front_desk)
    wrong = "".join(reversed(referral.return_code))
    for code in (wrong, "ABC"):
        page = client.post(URL, {"code": code}).content.decode()
        assert 'data-testid="slip-error"' in page and 'data-testid="slip-form"' not in page
    response = client.post(URL, {"code": wrong, "decision": "granted", "detail": "x"})
    assert 'data-testid="slip-error"' in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "sent"
    assert not referral.events.filter(channel=ReferralEvent.Channel.REPLY_SLIP).exists()


@pytest.mark.parametrize("closed", ["completed", "rejected", "cancelled"])
def test_the_code_of_a_closed_referral_says_it_is_closed(client, front_desk, make_referral, closed):
    referral = make_referral(status=closed)
    client.force_login(front_desk)
    page = client.post(URL, {"code": referral.return_code}).content.decode()
    assert 'data-testid="slip-closed"' in page and 'data-testid="slip-form"' not in page
    response = _record(client, referral, "reject", detail="x")
    assert "already closed" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == closed


def test_a_slip_that_cannot_apply_now_is_refused_with_the_state(client, front_desk, make_referral):
    referral = make_referral(status="returned")
    client.force_login(front_desk)
    response = _record(client, referral, "granted", detail="Sembako", aid_kind="in_kind")
    assert re.search(r"Returned for documents.*not possible now", response.content.decode(), re.S)
    referral.refresh_from_db()
    assert referral.status == "returned"


def test_a_reason_is_needed_for_what_needs_one(client, front_desk, make_referral):
    referral = make_referral()
    client.force_login(front_desk)
    for decision in ("reject", "return", "granted", "not_granted"):
        page = _record(client, referral, decision).content.decode()
        assert "Write what the slip says" in page
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_a_failed_step_records_none_of_the_slip(front_desk, make_referral):
    referral = make_referral()
    with pytest.raises(ValidationError, match="Say what was granted"):
        services.referral_record_reply_slip(referral=referral, decision="granted", actor=front_desk, detail="")
    referral.refresh_from_db()
    assert referral.status == "sent" and referral.events.count() == 1


@pytest.mark.parametrize("who", ["alice", "charlie", "surveyor", "head", "admin"])
def test_only_the_front_desk_and_the_data_desk_record_slips(client, request, make_referral, reference_data, who):
    referral = make_referral()
    user = request.getfixturevalue(who) if who in ("alice", "charlie") else factories.user_with_role(who)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert _record(client, referral, "receive").status_code == 403
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_the_referral_page_says_the_answer_came_from_the_slip(client, front_desk, make_referral):
    referral = make_referral(status="accepted")
    client.force_login(front_desk)
    _record(client, referral, "granted", detail="Kacamata", aid_kind="in_kind")
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "From the reply slip" in page


def test_a_granted_slip_says_what_the_aid_was_worth(client, front_desk, make_referral):
    referral = make_referral(status="accepted")
    client.force_login(front_desk)
    response = _record(client, referral, "granted", detail="Kursi roda")
    assert "Say how the aid was given: its value in rupiah, or in kind." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "accepted"
    _record(client, referral, "granted", detail="Kursi roda", aid_kind="in_kind")
    referral.refresh_from_db()
    assert (referral.status, referral.aid_kind, referral.aid_value) == ("completed", "in_kind", None)
