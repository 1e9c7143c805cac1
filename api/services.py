"""Writes of the API app: tokens (create, revoke, check) and each provider's system user."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from api import tasks, webhooks
from api.models import ApiToken, Webhook, WebhookDelivery
from desks.models import Provider
from pandu import jobs

PREFIX_BYTES = 4  # 8 hex characters


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token, shown once


@transaction.atomic
def token_create(*, provider: Provider, expires_days: int | None = None, note: str = "",
                 at: datetime.datetime | None = None) -> NewToken:
    """A new token for the provider's system: ``<prefix>.<secret>``, kept only as its SHA-256."""
    at = at or timezone.now()
    if expires_days is not None and expires_days <= 0:
        raise ValidationError(_("A token must live at least one day."))
    provider_system_user(provider)
    prefix = secrets.token_hex(PREFIX_BYTES)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(PREFIX_BYTES)
    value = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        provider=provider, prefix=prefix, digest=_digest(value), note=note[:200], created_at=at,
        expires_at=at + datetime.timedelta(days=expires_days) if expires_days else None,
    )
    return NewToken(token=token, secret=value)


def token_revoke(*, token: ApiToken, at: datetime.datetime | None = None) -> ApiToken:
    """Revoked at once: the next call with it gets 401. Revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=at or timezone.now())
    token.refresh_from_db()
    return token


def token_find(reference: str) -> ApiToken:
    """A token by its id or the start of its prefix (as ``api_token list`` shows them)."""
    reference = reference.strip().rstrip("…").split(".", 1)[0]
    matches = ApiToken.objects.filter(
        Q(prefix__startswith=reference.lower()) | (Q(pk=int(reference)) if reference.isdigit() else Q(pk__in=[]))
    ) if reference else ApiToken.objects.none()
    found = list(matches[:2])
    if len(found) != 1:
        raise ValidationError(
            _("No token matches “%(ref)s”.") % {"ref": reference} if not found
            else _("Several tokens match “%(ref)s”: give more of the prefix.") % {"ref": reference}
        )
    return found[0]


def token_authenticate(value: str, *, at: datetime.datetime | None = None) -> ApiToken | None:
    """The valid token this value is, or None (unknown, wrong secret, expired or revoked).
    Records when it was last used (at most once a minute, to spare the row)."""
    at = at or timezone.now()
    prefix, dot, _secret = value.partition(".")
    if not dot or len(prefix) != PREFIX_BYTES * 2:
        return None
    token = ApiToken.objects.select_related("provider").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(value)) or not token.is_valid(at):
        return None
    if token.last_used_at is None or at - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
        token.last_used_at = at
    return token


def system_username(provider: Provider) -> str:
    return f"api-{provider.code.lower()}"


def provider_system_user(provider: Provider):
    """The account a provider's system acts as: named after the provider, so the referral's
    timeline reads "Dinas Kesehatan (sistem)"; it cannot sign in (inactive, no password)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=system_username(provider),
        defaults={"first_name": provider.name[:150], "last_name": "(sistem)", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def webhook_queue(*, referral, event) -> WebhookDelivery | None:
    """``referrals.hooks`` listener: a referral was created or moved; if its provider has an
    active webhook, record a delivery and queue it for when the transaction commits."""
    webhook = Webhook.objects.filter(provider_id=referral.provider_id, is_active=True).first()
    if webhook is None:
        return None
    name, payload = webhooks.event_payload(referral=referral, event=event)
    delivery = WebhookDelivery.objects.create(webhook=webhook, referral=referral, event=name, payload=payload)
    jobs.enqueue(tasks.webhook_deliver, delivery_id=delivery.pk)
    return delivery


def webhook_delivery_retry(*, delivery: WebhookDelivery) -> None:
    """The office asks for another try now (the admin's action); a delivered one stays delivered."""
    jobs.enqueue(tasks.webhook_deliver, delivery_id=delivery.pk)
