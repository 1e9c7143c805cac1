"""Reading an agency's referrals page by page: cursor pagination, oldest change first."""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class UpdatedCursorPagination(CursorPagination):
    """Ordered by the last change, oldest first: a system that syncs keeps the ``updated_at`` of
    the last row it read and asks ``?updated_since=`` next time; a referral that changes while
    it pages moves to the end and is read again, never skipped."""

    ordering = ("updated_at", "pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from None


class TokenRateThrottle(SimpleRateThrottle):
    """``API_RATE`` requests per token (e.g. ``120/min``); beyond it, 429 with Retry-After.
    Counted in the default cache: per app server, unless CACHES names a shared one."""

    scope = "api_token"

    def get_rate(self):
        return settings.API_RATE

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return f"throttle_api_token_{request.auth.pk}"
