"""What a token may read: its provider's referrals, nothing else (any other id is 404)."""

from __future__ import annotations

import calendar

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from api.models import ApiToken
from referrals.models import Referral

_RELATED = ("service", "provider", "case__person__household__village__parent")


def referrals_for_token(token: ApiToken) -> QuerySet[Referral]:
    return Referral.objects.filter(provider_id=token.provider_id)


def get_referral_for_token(token: ApiToken, pk, *, lock: bool = False) -> Referral:
    queryset = referrals_for_token(token).select_related(*_RELATED)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return get_object_or_404(queryset, pk=pk)


def referral_version(referral: Referral) -> str:
    """Changes with every change of the referral (its ``updated_at`` to the microsecond)."""
    moment = referral.updated_at
    return f"{calendar.timegm(moment.utctimetuple())}{moment.microsecond:06d}"


def referral_etag(referral: Referral) -> str:
    return f'"{referral_version(referral)}"'
