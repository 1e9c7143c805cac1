"""Webhooks: every new referral to a provider and every move of one is POSTed to the
provider's system, signed, by a job on the queue, until it is delivered.

Each call is JSON with no personal data: the event and the referral's id, number, state and
version; the agency reads the rest through the API with its token. Headers:

- ``X-Pandu-Event``: ``referral.created`` or ``referral.<action>`` (``referral.receive``, …);
- ``X-Pandu-Delivery``: the delivery's id (the same on every retry: a receiver ignores a repeat);
- ``X-Pandu-Timestamp``: Unix seconds when this attempt was signed;
- ``X-Pandu-Signature``: ``sha256=<hex>``, the HMAC-SHA256 with the webhook's secret of
  ``<timestamp>.<raw body>`` (the timestamp in the signature: an old call replayed later fails).

A 2xx answer is delivered; anything else, or no answer in ``WEBHOOK_TIMEOUT_SECONDS``, is an
error: the delivery shows "failing" with the error, and the queue tries again later
(``tasks.webhook_deliver``'s backoff). ``services.webhook_queue`` is the listener
that ``ApiConfig.ready()`` registers with ``referrals.hooks``. Every delivery is listed in the admin.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from api.models import WebhookDelivery
from api.selectors import referral_version

SIGNATURE_HEADER = "X-Pandu-Signature"
TIMESTAMP_HEADER = "X-Pandu-Timestamp"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def event_payload(*, referral, event) -> tuple[str, dict]:
    """The event's name and what a delivery sends (no personal data)."""
    name = "referral.created" if event.action == "create" else f"referral.{event.action}"
    return name, {
        "event": name,
        "occurred_at": event.at.isoformat(),
        "channel": event.channel,
        "referral": {
            "id": referral.pk,
            "number": referral.number,
            "status": referral.status,
            "from_status": event.from_status,
            "version": referral_version(referral),
            "path": reverse("api:referral", args=[referral.pk]),
        },
    }


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
        return response.status


class DeliveryFailed(Exception):
    pass


def delivery_send(*, delivery_id: int, attempt: int = 1) -> str:
    """One attempt. Idempotent: a delivered delivery is not sent again. Raises DeliveryFailed
    (after recording it) so that the queue tries again."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == WebhookDelivery.Status.DELIVERED:
        return "nothing to do"
    webhook = delivery.webhook
    body = json.dumps({"delivery": delivery.pk, **delivery.payload}, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Pandu-Webhook/1",
        "X-Pandu-Event": delivery.event,
        "X-Pandu-Delivery": str(delivery.pk),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(webhook.secret, timestamp, body),
    }
    now = timezone.now()
    error = ""
    try:
        status = _post(webhook.url, body, headers)
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except urllib.error.HTTPError as exc:
        error = f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    with transaction.atomic():
        fields = {"attempts": attempt, "last_attempt_at": now}
        if error:
            fields.update(status=WebhookDelivery.Status.FAILING, last_error=error[:500])
        else:
            fields.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now, last_error="")
        WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=WebhookDelivery.Status.DELIVERED).update(**fields)
    if error:
        raise DeliveryFailed(f"delivery {delivery.pk} to {webhook.url}: {error}")
    return f"delivery {delivery.pk} delivered"
