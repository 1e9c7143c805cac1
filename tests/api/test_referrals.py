"""Reading and answering referrals through the API: scoping by token, the moves, 409, 400, the audit log."""

import pytest
from django.urls import reverse

from api.models import ApiToken
from pandu.models import AuditEvent
from referrals.models import Referral, ReferralEvent
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_list_shows_only_the_providers_referrals(api, make_referral):
    mine = make_referral("DINKES-BEROBAT")
    make_referral("DISDIK-BIAYA")
    response = api.get(reverse("api:referrals"))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_detail_has_what_the_agency_needs(api, make_referral, listed_person):
    referral = make_referral()
    response = api.get(reverse("api:referral", args=[referral.pk]))
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["full_name"] == "Siti Aminah Binti Ahmad"
    assert body["person"]["nik"] == listed_person.nik
    assert body["person"]["birth_date"] == listed_person.birth_date.isoformat()
    assert body["person"]["address"]["street"] == listed_person.household.address
    assert body["letter_number"] == referral.number
    assert body["letter_url"].endswith(reverse("api:referral-letter", args=[referral.pk]))
    assert body["documents"]["required"] == referral.required_documents
    assert response["ETag"] == f'"{body["version"]}"'


def test_provider_a_token_gets_404_on_provider_b_referral(make_referral, disdik_token):
    referral = make_referral("DINKES-BEROBAT")
    other = client_for(disdik_token.secret)
    for url in (reverse("api:referral", args=[referral.pk]), reverse("api:referral-letter", args=[referral.pk]),
                reverse("api:attachments", args=[referral.pk])):
        assert other.get(url).status_code == 404, url
    response = other.post(reverse("api:referral-receive", args=[referral.pk]), {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "detail": "Not found."}
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_the_moves_from_receive_to_completion_are_recorded_as_from_the_api(api, make_referral, dinkes):
    referral = make_referral()
    for action, body in [("receive", {}), ("accept", {"note": "Senin"}),
                         ("complete", {"outcome": "granted", "outcome_detail": "Operasi katarak", "aid_value": 4500000})]:
        response = api.post(reverse(f"api:referral-{action}", args=[referral.pk]), body, format="json")
        assert response.status_code == 200, response.json()
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.aid_value) == ("completed", "granted", 4500000)
    events = list(referral.events.exclude(action="create").select_related("actor"))
    assert [e.channel for e in events] == [ReferralEvent.Channel.API] * 3
    assert {e.actor.get_full_name() for e in events} == {f"{dinkes.name} (sistem)"}
    assert referral.accepted_by.username == "api-dinkes" and not referral.accepted_by.is_active


def test_the_timeline_page_says_the_answer_came_from_the_agencys_system(api, make_referral, head, client):
    referral = make_referral()
    api.post(reverse("api:referral-reject", args=[referral.pk]), {"note": "Bukan layanan kami"}, format="json")
    client.force_login(head)
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Bukan layanan kami" in page
    assert "(sistem)" in page


def test_a_stale_update_gets_409_with_the_current_state(api, make_referral, front_desk):
    referral = make_referral()
    etag = api.get(reverse("api:referral", args=[referral.pk]))["ETag"]
    from referrals import services

    services.referral_transition(referral=referral, action="return", actor=front_desk, note="KK kurang")
    response = api.post(reverse("api:referral-accept", args=[referral.pk]), {}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale"
    assert body["current"]["status"] == "returned"
    assert Referral.objects.get(pk=referral.pk).status == "returned"


def test_a_fresh_if_match_lets_the_move_through(api, make_referral):
    referral = make_referral()
    etag = api.get(reverse("api:referral", args=[referral.pk]))["ETag"]
    response = api.post(reverse("api:referral-receive", args=[referral.pk]), {}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_a_move_the_state_does_not_allow_is_409_not_allowed(api, make_referral):
    referral = make_referral()
    response = api.post(reverse("api:referral-complete", args=[referral.pk]),
                        {"outcome": "granted", "outcome_detail": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_allowed"
    assert response.json()["current"]["status"] == "sent"


def test_bad_input_gets_400_with_field_errors(api, make_referral):
    referral = make_referral()
    response = api.post(reverse("api:referral-reject", args=[referral.pk]), {"note": ""}, format="json")
    assert response.status_code == 400
    assert response.json() == {"status": 400, "code": "invalid", "detail": "Some fields are not valid.",
                               "errors": {"note": ["This field may not be blank."]}}
    response = api.get(reverse("api:referrals"), {"status": "lost", "updated_since": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "updated_since"}
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_aid_value_only_for_a_granted_outcome(api, make_referral):
    referral = make_referral()
    api.post(reverse("api:referral-receive", args=[referral.pk]), {}, format="json")
    api.post(reverse("api:referral-accept", args=[referral.pk]), {}, format="json")
    response = api.post(reverse("api:referral-complete", args=[referral.pk]),
                        {"outcome": "not_granted", "outcome_detail": "Tidak memenuhi syarat", "aid_value": 5},
                        format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["aid_value"]


def test_expired_and_revoked_tokens_get_401(dinkes, make_referral):
    from django.utils import timezone

    from api import services as api_services

    expired = api_services.token_create(provider=dinkes, expires_days=1,
                                        at=timezone.now() - timezone.timedelta(days=2))
    revoked = api_services.token_create(provider=dinkes)
    api_services.token_revoke(token=revoked.token)
    for new in (expired, revoked):
        response = client_for(new.secret).get(reverse("api:referrals"))
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"
    assert client_for(expired.secret[:-1] + "x").get(reverse("api:referrals")).status_code == 401
    assert client_for("nonsense").get(reverse("api:referrals")).status_code == 401
    assert APIClientNoAuth().get(reverse("api:referrals")).status_code == 401


def APIClientNoAuth():
    from rest_framework.test import APIClient

    return APIClient()


def test_the_token_is_stored_hashed(dinkes_token):
    row = ApiToken.objects.get(pk=dinkes_token.token.pk)
    assert dinkes_token.secret not in (row.digest, row.prefix)
    assert dinkes_token.secret.split(".", 1)[1] not in row.digest


def test_every_call_is_in_the_audit_log(api, make_referral, dinkes_token):
    referral = make_referral()
    make_referral("DINKES-BEROBAT")
    AuditEvent.objects.all().delete() if False else None
    before = AuditEvent.objects.count()
    api.get(reverse("api:referrals"))
    api.get(reverse("api:referral", args=[referral.pk]))
    api.post(reverse("api:referral-receive", args=[referral.pk]), {}, format="json")
    api.get(reverse("api:referral", args=[999999]))
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.detail["operation"] for e in events] == ["referral_list", "referral_detail", "referral_receive",
                                                       "referral_detail"]
    assert [e.detail["rows"] for e in events] == [2, 1, 1, 0]
    assert [e.detail["status"] for e in events] == [200, 200, 200, 404]
    assert {e.detail["token"] for e in events} == {dinkes_token.token.prefix}
    assert {e.detail["provider"] for e in events} == {"DINKES"}
    assert events[2].action == AuditEvent.Action.CHANGE and events[2].object_id == str(referral.pk)
    assert events[0].username == "api-dinkes"


def test_a_refused_token_is_in_the_audit_log_too(dinkes_token):
    from api import services as api_services

    api_services.token_revoke(token=dinkes_token.token)
    client_for(dinkes_token.secret).get(reverse("api:referrals"))
    event = AuditEvent.objects.latest("pk")
    assert event.action == AuditEvent.Action.LOGIN_FAILED
    assert event.detail["token"] == dinkes_token.token.prefix and event.detail["status"] == 401
