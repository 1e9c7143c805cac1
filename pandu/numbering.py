"""Gap-free numbers for tickets, referrals, recommendations and complaints, and the formats
the office writes them in (``OfficeIdentity``'s number formats, checked by
``NumberFormatValidator``)."""

from __future__ import annotations

import datetime
import re
import string

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

ROMAN_MONTHS = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

# What a format may hold, by kind of number: the fields it may use, those it must use (a yearly
# sequence without the year would repeat a number next year), and the longest number the
# column stores.
NUMBER_KINDS = {
    "ticket": {"required": ("prefix", "seq"), "max_length": 12},
    "referral": {"required": ("seq", "year"), "max_length": 40},
    "recommendation": {"required": ("seq", "year"), "max_length": 40},
    "complaint": {"required": ("seq", "year"), "max_length": 20},
}
FIELDS = ("seq", "year", "month", "roman_month", "day", "prefix")
_SPEC = re.compile(r"^0?\d?d?$")  # "", "d", "3d", "03d": a width, nothing that runs code


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


def number_format(template: str, *, seq: int, day: datetime.date, prefix: str = "") -> str:
    """A number written in the office's format: ``"{seq:04d}/RJK/{roman_month}/{year}"`` with
    sequence 7 in November 2026 is ``0007/RJK/XI/2026``."""
    return template.format(
        seq=seq, year=day.year, month=f"{day.month:02d}", roman_month=ROMAN_MONTHS[day.month],
        day=f"{day.day:02d}", prefix=prefix,
    )


@deconstructible(path="pandu.numbering.NumberFormatValidator")
class NumberFormatValidator:
    """A number format an administrator typed: only the known fields, each at most with a width;
    the fields the kind of number needs; no lower case or spaces (the citizens' status check
    finds a number as typed in capitals); short enough for its column with a sequence of 9999."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, value: str) -> None:
        rules = NUMBER_KINDS[self.kind]
        used = set()
        try:
            parsed = list(string.Formatter().parse(value))
        except ValueError:
            raise ValidationError(_("Braces must pair: write a field as {seq} or {seq:04d}."), code="syntax") from None
        for literal, field, spec, conversion in parsed:
            if any(char.isspace() or char.islower() for char in literal):
                raise ValidationError(_("Write the fixed text in capitals, without spaces."), code="text")
            if field is None:
                continue
            if field not in FIELDS or conversion or not _SPEC.match(spec or ""):
                raise ValidationError(
                    _("Unknown field {%(field)s}: use %(fields)s, with a width such as {seq:04d}.")
                    % {"field": field + (f":{spec}" if spec else ""), "fields": ", ".join(f"{{{f}}}" for f in FIELDS)},
                    code="field",
                )
            if spec and field != "seq":
                raise ValidationError(_("Only {seq} takes a width."), code="width")
            used.add(field)
        missing = [field for field in rules["required"] if field not in used]
        if missing:
            raise ValidationError(
                _("This number needs %(fields)s.") % {"fields": ", ".join(f"{{{f}}}" for f in missing)},
                code="missing",
            )
        longest = number_format(value, seq=9999, day=datetime.date(2026, 12, 28), prefix="ABC")
        if len(longest) > rules["max_length"]:
            raise ValidationError(
                _("Too long: %(example)s has %(n)d characters; at most %(max)d fit.")
                % {"example": longest, "n": len(longest), "max": rules["max_length"]},
                code="length",
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, NumberFormatValidator) and other.kind == self.kind
