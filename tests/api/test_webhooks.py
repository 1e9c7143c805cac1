"""Webhooks: a new referral and each move are POSTed, signed with the provider's secret, by a job
that tries again after a failure. The receiver is a local HTTP server (no network)."""

import hashlib
import hmac
import http.server
import json
import threading

import pytest
from django.urls import reverse

from api import tasks, webhooks
from api.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db

SECRET = "s3cret-shared-with-the-agency"


class Receiver:
    """A local endpoint that answers with the next of ``statuses`` and keeps what it got."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/pandu-hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(*statuses):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for item in made:
        item.close()


def _verify(headers, body) -> bool:
    """What docs/api.md tells the agency to do."""
    expected = hmac.new(SECRET.encode(), headers["X-Pandu-Timestamp"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(headers["X-Pandu-Signature"], "sha256=" + expected.hexdigest())


def test_a_new_referral_and_a_move_are_delivered_signed(receiver, dinkes, make_referral, api,
                                                        django_capture_on_commit_callbacks):
    endpoint = receiver()
    Webhook.objects.create(provider=dinkes, url=endpoint.url, secret=SECRET)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        referral = make_referral()
        api.post(reverse("api:referral-receive", args=[referral.pk]), {}, format="json")
    assert len(queued) == 2  # each delivery is queued when its transaction commits
    for delivery in WebhookDelivery.objects.order_by("pk"):
        webhooks.delivery_send(delivery_id=delivery.pk)
    assert [json.loads(body)["event"] for _h, body in endpoint.received] == ["referral.created", "referral.receive"]
    for headers, body in endpoint.received:
        assert _verify(headers, body)
        assert json.loads(body)["referral"]["id"] == referral.pk
        assert "nik" not in body.decode().lower()  # no personal data in a webhook
    tampered_headers, tampered = endpoint.received[0][0], endpoint.received[0][1].replace(b"created", b"receive")
    assert not _verify(tampered_headers, tampered)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_a_failed_delivery_is_recorded_and_retried(receiver, dinkes, make_referral):
    endpoint = receiver(500)
    Webhook.objects.create(provider=dinkes, url=endpoint.url, secret=SECRET)
    make_referral()
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(webhooks.DeliveryFailed):
        webhooks.delivery_send(delivery_id=delivery.pk, attempt=1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failing", 1, "HTTP 500")
    assert webhooks.delivery_send(delivery_id=delivery.pk, attempt=2) == f"delivery {delivery.pk} delivered"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, "")
    assert len(endpoint.received) == 2
    assert endpoint.received[0][0]["X-Pandu-Delivery"] == endpoint.received[1][0]["X-Pandu-Delivery"]
    # Run once more (the job ran twice): nothing is sent again.
    assert webhooks.delivery_send(delivery_id=delivery.pk, attempt=3) == "nothing to do"
    assert len(endpoint.received) == 2


def test_an_unreachable_endpoint_is_failing_with_its_error(dinkes, make_referral):
    Webhook.objects.create(provider=dinkes, url="http://127.0.0.1:9/nothing-listens", secret=SECRET)
    make_referral()
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(webhooks.DeliveryFailed):
        webhooks.delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failing" and "refused" in delivery.last_error.lower()


def test_the_job_retries_with_backoff():
    from types import SimpleNamespace

    strategy = tasks.webhook_deliver.retry_strategy
    assert strategy.max_attempts >= 5
    from django.utils import timezone

    now = timezone.now()
    waits = [(strategy.get_retry_decision(exception=webhooks.DeliveryFailed(), job=SimpleNamespace(attempts=n))
              .retry_at - now).total_seconds() for n in range(3)]
    assert 0 < waits[0] < waits[1] < waits[2]
    assert strategy.get_retry_decision(exception=webhooks.DeliveryFailed(),
                                       job=SimpleNamespace(attempts=strategy.max_attempts)) is None


def test_the_queue_runs_a_delivery(transactional_db, receiver, reference_data):
    from desks.models import Provider, Service
    from referrals import services
    from tests import factories
    from tests.workers import empty_queue, run_queued_jobs

    empty_queue()
    endpoint = receiver()
    dinkes = Provider.objects.get(code="DINKES")
    Webhook.objects.create(provider=dinkes, url=endpoint.url, secret=SECRET)
    person = factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))
    services.case_open(person=person, pathway="listed", decided_by=factories.user_with_role("front_desk"),
                       services=[Service.objects.get(code="DINKES-BEROBAT")])
    run_queued_jobs()
    assert WebhookDelivery.objects.get().status == "delivered"
    assert _verify(*endpoint.received[0])


def test_no_webhook_no_delivery(make_referral):
    make_referral()
    assert not WebhookDelivery.objects.exists()


def test_the_admin_shows_deliveries(receiver, dinkes, make_referral, client):
    from tests import factories

    Webhook.objects.create(provider=dinkes, url="http://127.0.0.1:9/x", secret=SECRET)
    referral = make_referral()
    client.force_login(factories.user_with_role("admin", username="it", is_staff=True))
    page = client.get(reverse("admin:api_webhookdelivery_changelist"))
    assert page.status_code == 200
    assert referral.number in page.content.decode()
