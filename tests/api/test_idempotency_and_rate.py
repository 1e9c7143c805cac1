"""Idempotent POSTs, the rate per token, attachments up and down, cursor pages."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from api.models import IdempotencyKey
from referrals.models import ReferralAttachment, ReferralEvent

pytestmark = pytest.mark.django_db


def test_an_idempotent_retry_creates_one_event(api, make_referral):
    referral = make_referral()
    url = reverse("api:referral-reject", args=[referral.pk])
    first = api.post(url, {"note": "Bukan layanan kami"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(url, {"note": "Bukan layanan kami"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["ETag"] == first["ETag"]
    assert referral.events.filter(action="reject").count() == 1
    # Without the key the same request is a new one: refused, the referral is already rejected.
    assert api.post(url, {"note": "Bukan layanan kami"}, format="json").status_code == 409


def test_the_same_key_with_another_body_is_refused(api, make_referral):
    referral = make_referral()
    url = reverse("api:referral-reject", args=[referral.pk])
    api.post(url, {"note": "Satu"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = api.post(url, {"note": "Dua"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert referral.events.filter(action="reject").get().note == "Satu"


def test_keys_belong_to_one_token(api, make_referral, dinkes):
    from api import services as api_services
    from tests.api.conftest import client_for

    referral = make_referral()
    url = reverse("api:referral-receive", args=[referral.pk])
    api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    second = client_for(api_services.token_create(provider=dinkes).secret)
    response = second.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 409  # not a replay of the first token's answer
    assert IdempotencyKey.objects.filter(key="shared").count() == 2


def test_an_old_key_is_forgotten(api, make_referral, settings):
    import datetime

    from django.utils import timezone

    from api.idempotency import idempotency_keys_purge

    referral = make_referral()
    api.post(reverse("api:referral-receive", args=[referral.pk]), {}, format="json", HTTP_IDEMPOTENCY_KEY="old")
    later = timezone.now() + datetime.timedelta(hours=settings.API_IDEMPOTENCY_HOURS + 1)
    assert idempotency_keys_purge(at=later) == 1
    assert not IdempotencyKey.objects.exists()


def test_a_burst_beyond_the_rate_gets_429(api, settings):
    settings.API_RATE = "3/min"
    statuses = [api.get(reverse("api:referrals")).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = api.get(reverse("api:referrals"))
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0 and response.json()["retry_after"] > 0


def test_the_rate_is_per_token(api, disdik_token, settings):
    from tests.api.conftest import client_for

    settings.API_RATE = "2/min"
    for _ in range(3):
        api.get(reverse("api:referrals"))
    assert client_for(disdik_token.secret).get(reverse("api:referrals")).status_code == 200


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "ktp.jpg"
    return buffer


def test_attachments_up_and_down(api, make_referral):
    referral = make_referral()
    url = reverse("api:attachments", args=[referral.pk])
    pdf = io.BytesIO(b"%PDF-1.4 hasil lab")
    pdf.name = "hasil.pdf"
    created = api.post(url, {"file": pdf, "document": "KTP"}, format="multipart")
    assert created.status_code == 201, created.json()
    assert created.json()["kind"] == "pdf"
    photo = api.post(url, {"file": _jpeg()}, format="multipart", HTTP_IDEMPOTENCY_KEY="photo-1")
    retry = api.post(url, {"file": _jpeg()}, format="multipart", HTTP_IDEMPOTENCY_KEY="photo-1")
    assert photo.status_code == retry.status_code == 201 and retry.json() == photo.json()
    assert ReferralAttachment.objects.filter(referral=referral).count() == 2
    listed = api.get(url).json()
    assert [a["original_name"] for a in listed] == ["hasil.pdf", "ktp.jpg"]
    download = api.get(created.json()["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 hasil lab"
    attachment = ReferralAttachment.objects.get(original_name="hasil.pdf")
    assert attachment.uploaded_by.username == "api-dinkes"


def test_an_upload_that_is_neither_pdf_nor_photo_gets_400(api, make_referral):
    referral = make_referral()
    junk = io.BytesIO(b"MZ\x90\x00 not a document")
    junk.name = "virus.exe"
    response = api.post(reverse("api:attachments", args=[referral.pk]), {"file": junk}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]
    assert not ReferralAttachment.objects.exists()


def test_the_letter_is_a_pdf(api, make_referral):
    referral = make_referral()
    response = api.get(reverse("api:referral-letter", args=[referral.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_cursor_pages_follow_the_last_change(api, make_referral, front_desk, listed_person):
    from referrals import services
    from tests import factories

    referrals = [make_referral(person=factories.PersonFactory(household=listed_person.household))
                 for _ in range(3)]
    services.referral_transition(referral=referrals[0], action="receive", actor=front_desk)
    first = api.get(reverse("api:referrals"), {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    order = [row["id"] for row in first["results"] + second["results"]]
    assert order == [referrals[1].pk, referrals[2].pk, referrals[0].pk]
    since = first["results"][-1]["updated_at"]
    changed = api.get(reverse("api:referrals"), {"updated_since": since}).json()["results"]
    assert [row["id"] for row in changed] == [referrals[2].pk, referrals[0].pk]
    received = api.get(reverse("api:referrals"), {"status": "received"}).json()["results"]
    assert [row["id"] for row in received] == [referrals[0].pk]
    assert api.get(reverse("api:referrals"), {"cursor": "garbage"}).status_code == 400
    assert ReferralEvent.objects.filter(channel="api").count() == 0
