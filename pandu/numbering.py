"""Gap-free numbers for tickets, referrals, recommendations and complaints."""

from __future__ import annotations

from django.db import connection


def sequence_next(*, name: str, period: str) -> int:
    """Next value of a gap-free counter, inside the caller's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO pandu_numbersequence (name, period, value) VALUES (%s, %s, 1)
            ON CONFLICT (name, period) DO UPDATE SET value = pandu_numbersequence.value + 1
            RETURNING value
            """,
            [name, period],
        )
        return cursor.fetchone()[0]
