"""NIK and KK numbers: cleaning, validation with messages a front-desk officer can act on.

A NIK is PPRRSSDDMMYYXXXX: province, regency, kecamatan, birth date (day + 40 for
women), and a serial. ``stdnum.id.nik`` checks the region code and the date; this module
adds the cleaning that real registry files need (spaces, dots, a leading apostrophe, a
number a spreadsheet turned into ``6.40305E+15``) and a readable reason for each failure.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidComponent
from stdnum.id import nik as stdnum_nik

from pandu.text import is_digits

_SEPARATORS = re.compile(r"[\s.\-']")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


def clean_number(value: object) -> str:
    """Strip what spreadsheets and people add around a 16-digit number."""
    text = str(value if value is not None else "").strip().lstrip("'`’")
    if text.endswith(".0") and is_digits(text[:-2]):  # a number read back from a spreadsheet cell
        text = text[:-2]
    return _SEPARATORS.sub("", text)


@dataclass(frozen=True)
class NikInfo:
    nik: str
    birth_date: datetime.date
    sex: str  # "L" or "P", as in Person.Sex

    @property
    def region_code(self) -> str:
        return f"{self.nik[0:2]}.{self.nik[2:4]}.{self.nik[4:6]}"


def _birth_date(number: str, today: datetime.date) -> datetime.date:
    day = int(number[6:8]) % 40
    month = int(number[8:10])
    yy = int(number[10:12])
    # The NIK keeps two digits of the year: the latest century that is not in the future.
    for century in (2000, 1900):
        try:
            date = datetime.date(century + yy, month, day)
        except ValueError:
            continue
        if date <= today:
            return date
    raise ValidationError(_("The birth date in the NIK (digits 7–12: DDMMYY) is not a real date."), code="date")


def parse_nik(value: object, *, today: datetime.date | None = None) -> NikInfo:
    """Return the cleaned NIK with its encoded birth date and sex, or raise ValidationError."""
    raw = str(value if value is not None else "").strip()
    number = clean_number(raw)
    if not number:
        raise ValidationError(_("Enter the NIK (16 digits)."), code="required")
    if _SCIENTIFIC.match(raw.lstrip("'")):
        raise ValidationError(
            _("The NIK was turned into a number by a spreadsheet (%(value)s): its last digits are lost. "
              "Format the column as text and enter it again.") % {"value": raw},
            code="scientific",
        )
    if not is_digits(number):
        raise ValidationError(_("A NIK has only digits."), code="format")
    if len(number) != 16:
        raise ValidationError(
            _("A NIK has 16 digits; this one has %(n)d.") % {"n": len(number)}, code="length"
        )
    today = today or timezone.localdate()
    birth_date = _birth_date(number, today)
    try:
        stdnum_nik._check_registration_place(number)
    except (InvalidComponent, LookupError):
        raise ValidationError(
            _("The province and regency code %(code)s at the start of the NIK does not exist.")
            % {"code": f"{number[0:2]}.{number[2:4]}"},
            code="region",
        ) from None
    sex = "P" if int(number[6:8]) > 40 else "L"
    return NikInfo(nik=number, birth_date=birth_date, sex=sex)


def parse_kk(value: object) -> str:
    """Return the cleaned 16-digit KK number or raise ValidationError."""
    raw = str(value if value is not None else "").strip()
    number = clean_number(raw)
    if not number:
        raise ValidationError(_("Enter the KK number (16 digits)."), code="required")
    if _SCIENTIFIC.match(raw.lstrip("'")):
        raise ValidationError(
            _("The KK number was turned into a number by a spreadsheet (%(value)s): its last digits are lost.")
            % {"value": raw},
            code="scientific",
        )
    if not is_digits(number) or len(number) != 16:
        raise ValidationError(_("A KK number has 16 digits."), code="length")
    return number


def make_nik(*, kecamatan_code: str, birth_date: datetime.date, sex: str, serial: int) -> str:
    """Build a NIK (used by demo data and tests): kecamatan code like 64.03.05."""
    day = birth_date.day + (40 if sex == "P" else 0)
    region = kecamatan_code.replace(".", "")
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
