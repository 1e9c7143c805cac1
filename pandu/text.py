"""Small text tests shared by the apps."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q


def is_digits(text: str) -> bool:
    """Only ASCII digits: ``str.isdigit()`` also accepts "²" and "٣", which are no NIK digit."""
    return text.isascii() and text.isdigit()


def mentioning(field: str, needles: Iterable[str]) -> Q:
    """Rows whose text ``field`` holds any of ``needles``, in any case (a name or a NIK written in
    a note); no needle, no row."""
    condition = Q(pk__in=[])
    for needle in needles:
        condition |= Q(**{f"{field}__icontains": needle})
    return condition
