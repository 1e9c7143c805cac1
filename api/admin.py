"""The office's view of the agencies' systems: tokens (list, revoke; made by ``manage.py
api_token create``, which shows the secret once), webhooks, and each webhook delivery."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api import services
from api.models import ApiToken, Webhook, WebhookDelivery


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "provider", "state_label", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("provider", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("prefix", "provider__code", "provider__name", "note")
    fields = ("provider", "prefix", "note", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("provider", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    @admin.display(description=_("state"))
    def state_label(self, token):
        return {"active": _("Active"), "expired": _("Expired"), "revoked": _("Revoked")}[token.state]

    def has_add_permission(self, request):
        return False  # made by `manage.py api_token create`, which shows the token once

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, kept: the audit log names its prefix

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            services.token_revoke(token=token)
        self.message_user(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", len(tokens))
                          % {"n": len(tokens)}, messages.SUCCESS)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("provider", "url", "is_active", "updated_at")
    list_filter = ("is_active",)
    fields = ("provider", "url", "secret", "is_active")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "provider", "event", "referral", "status", "attempts", "last_attempt_at",
                    "delivered_at", "last_error")
    list_filter = ("status", "webhook__provider", "event")
    search_fields = ("referral__number",)
    list_select_related = ("webhook__provider", "referral")
    readonly_fields = ("webhook", "referral", "event", "payload", "status", "attempts", "last_error", "created_at",
                       "last_attempt_at", "delivered_at")
    actions = ["retry"]

    @admin.display(description=_("provider"), ordering="webhook__provider__name")
    def provider(self, delivery):
        return delivery.webhook.provider

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Try the selected deliveries again now"), permissions=["change"])
    def retry(self, request, queryset):
        pending = list(queryset.exclude(status=WebhookDelivery.Status.DELIVERED))
        for delivery in pending:
            services.webhook_delivery_retry(delivery=delivery)
        self.message_user(request, ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.",
                                            len(pending)) % {"n": len(pending)}, messages.SUCCESS)
