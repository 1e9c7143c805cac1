"""Background work of the API app (pandu/jobs.py): webhook deliveries, and forgetting old
idempotency keys."""

from __future__ import annotations

from api import idempotency, webhooks
from pandu import jobs

# Seven more tries after the first, waiting 5 s, 25 s, 2 min, 10 min, 52 min, 4 h, then 22 h (×5 each time).
WEBHOOK_RETRY = jobs.backoff(attempts=7, base_seconds=5)


@jobs.task(retry=WEBHOOK_RETRY, takes_attempt=True)
def webhook_deliver(*, delivery_id: int, attempt: int = 1) -> str:
    return webhooks.delivery_send(delivery_id=delivery_id, attempt=attempt)


@jobs.periodic(cron=jobs.daily("03:45"))
def purge_idempotency_keys() -> str:
    return f"{idempotency.idempotency_keys_purge()} idempotency keys forgotten"
