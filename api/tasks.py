"""Background work of the API app (pandu/jobs.py): webhook deliveries, and forgetting old
idempotency keys."""

from __future__ import annotations

from api import idempotency, webhooks
from pandu import jobs

# Seven more tries after the first, 5 s then ×5 each time: the last about 5 hours 25 minutes on.
WEBHOOK_RETRY = jobs.backoff(attempts=7, base_seconds=5)


@jobs.task(retry=WEBHOOK_RETRY, takes_attempt=True)
def webhook_deliver(*, delivery_id: int, attempt: int = 1) -> str:
    return webhooks.delivery_send(delivery_id=delivery_id, attempt=attempt)


@jobs.periodic(cron=jobs.daily("03:45"))
def purge_idempotency_keys() -> str:
    return f"{idempotency.idempotency_keys_purge()} idempotency keys forgotten"
