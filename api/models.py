"""The agencies' systems: their tokens, the idempotency keys of their POSTs, their webhooks.

A token belongs to a provider (an SKPD or partner) and acts as it. It is shown once, when
``manage.py api_token create`` makes it, and stored as its SHA-256: a token is 32 random bytes,
so a hash needs no salt or stretching, and a database leak gives no usable token. The first
characters (``prefix``) are kept in clear to find the row and to name the token in lists and in
the audit log.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pandu.models import TimeStampedModel


class ApiToken(models.Model):
    provider = models.ForeignKey(
        "desks.Provider", on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("provider")
    )
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    digest = models.CharField(_("SHA-256 of the token"), max_length=64, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.provider.code})"

    def is_valid(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key``: a retry with the same key
    and body gets it again and changes nothing. Kept ``API_IDEMPOTENCY_HOURS``."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    path = models.CharField(max_length=255)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_per_token")]

    def __str__(self) -> str:
        return f"{self.token_id}:{self.key}"


class Webhook(TimeStampedModel):
    """Where a provider's system wants to hear of its new referrals and their moves."""

    provider = models.OneToOneField(
        "desks.Provider", on_delete=models.CASCADE, related_name="webhook", verbose_name=_("provider")
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"), max_length=128,
        help_text=_("Shared with the agency: it checks the signature of each call with it."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return f"{self.provider.code}: {self.url}"


class WebhookDelivery(models.Model):
    """One event POSTed (or to be POSTed) to a provider's webhook, with how it went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILING = "failing", _("Failing")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries",
                                verbose_name=_("webhook"))
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("referral"))
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["status", "created_at"], condition=~Q(status="delivered"),
                         name="webhook_delivery_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.referral_id} → {self.webhook.provider.code}"
