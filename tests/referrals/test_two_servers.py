"""Referrals on two app processes against one database, as a second office server would run:
two officers accepting one referral at once, the head approving recommendations on both."""

import pytest
from django.urls import reverse

from referrals import services
from referrals.models import Recommendation, Referral
from tests import factories
from tests.two_servers import app_servers, at_once, post, session_for

S = Referral.Status


def _english(session):
    session.headers["Accept-Language"] = "en"
    return session


@pytest.mark.django_db(transaction=True)
def test_two_officers_on_two_servers_accepting_one_referral_exactly_one_wins(
    make_referral, alice, bob
):
    """Three rounds, one referral each: a race can be won by chance once, not three times."""
    referrals = [
        services.referral_transition(referral=make_referral(), action="receive", actor=alice)
        for _ in range(3)
    ]
    officers = [alice, bob]
    with app_servers(2) as urls:
        sessions = [_english(session_for(officers[i], urls[i])) for i in range(2)]
        rounds = []
        for referral in referrals:
            path = reverse("referrals:action", args=[referral.pk, "accept"])
            statuses = [None, None]

            def press(index: int, path=path, statuses=statuses):
                statuses[index] = post(sessions[index], urls[index] + path).status_code

            at_once(2, press)
            detail = reverse("referrals:detail", args=[referral.pk])
            pages = [sessions[i].get(urls[i] + detail, timeout=30).text for i in range(2)]
            rounds.append((referral, statuses, pages))

    for referral, statuses, pages in rounds:
        assert statuses == [302, 302]
        referral.refresh_from_db()
        assert referral.status == S.ACCEPTED and referral.accepted_by in officers
        assert referral.events.filter(action="accept").count() == 1
        winner = officers.index(referral.accepted_by)
        loser = 1 - winner
        assert "already accepted" in pages[loser]
        assert f"by {referral.accepted_by.get_full_name()}" in pages[loser]
        assert "already accepted" not in pages[winner]


@pytest.mark.django_db(transaction=True)
def test_recommendations_approved_on_two_servers_at_once_are_numbered_without_gaps(
    front_desk, head
):
    """The head presses "approve" on the same request on both servers at once, for five
    requests in turn: each is approved once, the other server is told it already was, and
    the letter numbers run 1 to 5 with no gap (the refused approval takes no number)."""
    requests = [
        services.recommendation_request(
            person=factories.PersonFactory(), reason="Sakit", assessment="Miskin", requested_by=front_desk
        )
        for _ in range(5)
    ]
    with app_servers(2) as urls:
        sessions = [session_for(head, url) for url in urls]
        statuses: list[int] = []
        for recommendation in requests:
            path = reverse("referrals:recommendation_decide", args=[recommendation.pk])

            def press(index: int, path=path):
                statuses.append(post(sessions[index], urls[index] + path, {"decision": "approve"}).status_code)

            at_once(2, press)

    assert statuses == [302] * 10
    approved = Recommendation.objects.filter(status=Recommendation.Status.APPROVED)
    assert approved.count() == 5
    sequences = sorted(int(number.split("/")[0]) for number in approved.values_list("number", flat=True))
    assert sequences == [1, 2, 3, 4, 5]
