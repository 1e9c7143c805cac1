"""The registry template's row rules: one function validates and normalises one row.

Both import paths use these rules: the row-by-row path (`importer.import_rows`) calls
``check_row`` for each row; the fast path (`fast.py`) applies the same rules set-wise in
SQL and returns the same reason codes. A reason is a code (``"name_required"``,
``"nik_duplicate:12"``); ``reason_text`` turns it into the sentence the error report shows,
the same for both paths.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clients.models import Person
from clients.nik import clean_number, parse_kk, parse_nik

COLUMNS = (
    "NO_KK",
    "NIK",
    "NAMA",
    "JENIS_KELAMIN",
    "TEMPAT_LAHIR",
    "TANGGAL_LAHIR",
    "HUBUNGAN_KELUARGA",
    "ALAMAT",
    "RT",
    "RW",
    "KODE_WILAYAH",
    "SUMBER",
    "TAHUN",
    # optional: the national registry's identifier (DTKS/DTSEN) and welfare decile (1–10), as of
    # the import's date; a file without them imports as before and keeps what is stored
    "ID_DTKS",
    "DESIL",
)
REQUIRED_COLUMNS = (
    "NO_KK",
    "NIK",
    "NAMA",
    "JENIS_KELAMIN",
    "TANGGAL_LAHIR",
    "HUBUNGAN_KELUARGA",
    "ALAMAT",
    "KODE_WILAYAH",
)

R = Person.Relationship
RELATIONSHIPS: dict[str, str] = {
    "KEPALA KELUARGA": R.HEAD,
    "KEPALA RUMAH TANGGA": R.HEAD,
    "ISTRI": R.SPOUSE,
    "SUAMI": R.SPOUSE,
    "ISTRI/SUAMI": R.SPOUSE,
    "ANAK": R.CHILD,
    "MENANTU": R.CHILD_IN_LAW,
    "CUCU": R.GRANDCHILD,
    "ORANG TUA": R.PARENT,
    "ORANGTUA": R.PARENT,
    "MERTUA": R.PARENT_IN_LAW,
    "FAMILI LAIN": R.OTHER_RELATIVE,
    "PEMBANTU": R.HOUSEHOLD_HELPER,
    "LAINNYA": R.OTHER,
}

# Field lengths of the models (a longer value is rejected, never cut).
MAX_NAME, MAX_BIRTH_PLACE, MAX_ADDRESS, MAX_SOURCE, MAX_NATIONAL_ID = 150, 100, 255, 60, 40

# Whitespace as both paths see it (SQL uses the same class): spaces, tabs, line breaks, NBSP.
WS_CLASS = r"[ \t\r\n\f\v\u00a0]"
_WS = re.compile(WS_CLASS + "+")
_WORD = re.compile(r"[^\W_]+")  # PostgreSQL initcap(): a word is a run of letters and digits
_ISO_DATE = re.compile(r"^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})$")
_DMY_DATE = re.compile(r"^([0-9]{1,2})[-/]([0-9]{1,2})[-/]([0-9]{4})$")
_RT = re.compile(r"^0*([0-9]{1,3})$")
_VILLAGE_DIGITS = re.compile(r"^([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{4})$")
_YEAR = re.compile(r"^[0-9]{4}$")
_DECILE = re.compile(r"^[0-9]{1,2}$")


def collapse(value: object) -> str:
    return _WS.sub(" ", str(value if value is not None else "")).strip(" ")


def title(value: str) -> str:
    """Title case as PostgreSQL's initcap() writes it: 'SITI o'neil' → 'Siti O'Neil'."""
    return _WORD.sub(lambda m: m[0][:1].upper() + m[0][1:].lower(), value)


def rt_rw(value: str) -> str | None:
    """'004', '4' and '04' are the same RT: stored with three digits. None when not a number."""
    if not value:
        return ""
    match = _RT.match(value)
    return match[1].zfill(3) if match else None


def village_code(value: str) -> str:
    match = _VILLAGE_DIGITS.match(value)
    return ".".join(match.groups()) if match else value


@functools.cache
def nik_region_prefixes() -> frozenset[str]:
    """Province + regency codes (4 digits) that stdnum's numdb knows."""
    from stdnum import numdb

    prefixes = set()
    for _len, low, high, props, children in numdb.get("id/loc").prefixes:
        if low != high or not props:
            continue
        for _clen, clow, chigh, _cprops, _cc in children:
            if clow == chigh:
                prefixes.add(low + clow)
    return frozenset(prefixes)


def _real_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _nik_ok(raw: str, today: datetime.date) -> str | None:
    try:
        info = parse_nik(raw, today=today)
    except ValidationError:
        return None
    return info.nik if info.nik[:4] in nik_region_prefixes() else None


def template_date(text: str) -> tuple[datetime.date | None, str]:
    """A date as the templates write it (YYYY-MM-DD or DD-MM-YYYY, / or -): the date, or why not
    ("required", "format", "invalid")."""
    if not text:
        return None, "required"
    iso, dmy = _ISO_DATE.match(text), _DMY_DATE.match(text)
    if not (iso or dmy):
        return None, "format"
    y, m, d = (iso[1], iso[2], iso[3]) if iso else (dmy[3], dmy[2], dmy[1])
    found = _real_date(int(y), int(m), int(d))
    return (found, "") if found is not None else (None, "invalid")


def parse_template_date(text: str) -> tuple[datetime.date | None, str]:
    """``template_date`` with the reason as the sentence an error report shows."""
    found, problem = template_date(text)
    messages = {
        "required": _("Enter the date."),
        "format": _("Write the date as YYYY-MM-DD or DD-MM-YYYY, not “%(value)s”.") % {"value": text},
        "invalid": _("“%(value)s” is not a real date.") % {"value": text},
    }
    return found, messages.get(problem, "")


@dataclass(frozen=True)
class CleanRow:
    line: int
    kk_number: str
    nik: str
    full_name: str
    sex: str
    birth_place: str
    birth_date: datetime.date
    relationship: str
    address: str
    rt: str
    rw: str
    village_id: int
    source: str
    year: int | None
    national_id: str = ""
    decile: int | None = None


def check_row(
    raw: Mapping[str, str],
    *,
    line: int,
    villages: Mapping[str, int],
    today: datetime.date,
    default_source: str = "",
) -> tuple[CleanRow | None, list[str]]:
    """Validate and normalise one row of the template. Returns the clean row or every reason."""
    reasons: list[str] = []
    get = lambda column: collapse(raw.get(column))  # noqa: E731

    try:
        kk_number = parse_kk(raw.get("NO_KK"))
    except ValidationError:
        kk_number = ""
        reasons.append("kk")

    nik = _nik_ok(str(raw.get("NIK") or ""), today)
    if nik is None:
        reasons.append("nik")

    full_name = title(get("NAMA"))
    if not full_name:
        reasons.append("name_required")
    elif len(full_name) > MAX_NAME:
        reasons.append("name_long")

    sex = get("JENIS_KELAMIN").upper()
    if sex not in ("L", "P"):
        reasons.append("sex_invalid")

    birth_place = title(get("TEMPAT_LAHIR"))
    if len(birth_place) > MAX_BIRTH_PLACE:
        reasons.append("birth_place_long")

    birth_date, problem = template_date(get("TANGGAL_LAHIR"))
    if problem:
        reasons.append(f"birth_date_{problem}")
    elif birth_date > today:
        reasons.append("birth_date_future")

    relationship = RELATIONSHIPS.get(get("HUBUNGAN_KELUARGA").upper())
    if relationship is None:
        reasons.append("relationship_invalid")

    address = get("ALAMAT")
    if not address:
        reasons.append("address_required")
    elif len(address) > MAX_ADDRESS:
        reasons.append("address_long")

    rt, rw = rt_rw(get("RT")), rt_rw(get("RW"))
    if rt is None:
        reasons.append("rt_invalid")
    if rw is None:
        reasons.append("rw_invalid")

    village_id = villages.get(village_code(get("KODE_WILAYAH")))
    if village_id is None:
        reasons.append("village_unknown")

    source = (get("SUMBER") or collapse(default_source)).upper()
    if len(source) > MAX_SOURCE:
        reasons.append("source_long")

    year = None
    text = get("TAHUN")
    if text:
        year = int(text) if _YEAR.match(text) else None
        if year is None or not 1900 <= year <= today.year + 1:
            reasons.append("year_invalid")

    national_id = get("ID_DTKS")
    if len(national_id) > MAX_NATIONAL_ID:
        reasons.append("national_id_long")

    decile = None
    text = get("DESIL")
    if text:
        decile = int(text) if _DECILE.match(text) else None
        if decile is None or not 1 <= decile <= 10:
            reasons.append("decile_invalid")

    if reasons:
        return None, reasons
    return (
        CleanRow(
            line=line,
            kk_number=kk_number,
            nik=nik,
            full_name=full_name,
            sex=sex,
            birth_place=birth_place,
            birth_date=birth_date,
            relationship=relationship,
            address=address,
            rt=rt,
            rw=rw,
            village_id=village_id,
            source=source,
            year=year,
            national_id=national_id,
            decile=decile,
        ),
        [],
    )


def row_nik(raw: Mapping[str, str], today: datetime.date) -> str | None:
    """The row's NIK when it is valid (for the duplicate rule), else None."""
    return _nik_ok(str(raw.get("NIK") or ""), today)


def reason_text(code: str, raw: Mapping[str, str], *, today: datetime.date) -> str:
    """The sentence for one reason code, prefixed by the column it concerns."""
    code, _sep, param = code.partition(":")
    value = collapse(raw.get(_COLUMN_OF.get(code, ""), ""))
    if code == "kk":
        try:
            parse_kk(raw.get("NO_KK"))
        except ValidationError as error:
            return f"NO_KK: {error.messages[0]}"
    if code == "nik":
        try:
            parse_nik(str(raw.get("NIK") or ""), today=today)
        except ValidationError as error:
            return f"NIK: {error.messages[0]}"
        number = clean_number(raw.get("NIK"))
        return "NIK: " + _(
            "The province and regency code %(code)s at the start of the NIK does not exist."
        ) % {"code": f"{number[0:2]}.{number[2:4]}"}
    messages = {
        "kk": _("A KK number has 16 digits."),
        "name_required": _("Enter the name."),
        "name_long": _("The name is longer than %(n)d characters.") % {"n": MAX_NAME},
        "sex_invalid": _("Write L (male) or P (female), not “%(value)s”.") % {"value": value},
        "birth_place_long": _("The place of birth is longer than %(n)d characters.")
        % {"n": MAX_BIRTH_PLACE},
        "birth_date_required": _("Enter the date of birth."),
        "birth_date_format": _("Write the date as YYYY-MM-DD or DD-MM-YYYY, not “%(value)s”.")
        % {"value": value},
        "birth_date_invalid": _("“%(value)s” is not a real date.") % {"value": value},
        "birth_date_future": _("The date of birth %(value)s is in the future.") % {"value": value},
        "relationship_invalid": _("Unknown relationship “%(value)s”; use one of: %(words)s.")
        % {"value": value, "words": ", ".join(RELATIONSHIPS)},
        "address_required": _("Enter the address."),
        "address_long": _("The address is longer than %(n)d characters.") % {"n": MAX_ADDRESS},
        "rt_invalid": _("An RT is a number of up to 3 digits, not “%(value)s”.") % {"value": value},
        "rw_invalid": _("An RW is a number of up to 3 digits, not “%(value)s”.") % {"value": value},
        "village_unknown": _(
            "“%(value)s” is not the code of a kelurahan or kampung of the region list."
        )
        % {"value": value},
        "source_long": _("The source is longer than %(n)d characters.") % {"n": MAX_SOURCE},
        "year_invalid": _("“%(value)s” is not a year like 2011.") % {"value": value},
        "nik_duplicate": _("This NIK already appears on line %(line)s; the first row counts.")
        % {"line": param},
        "national_id_long": _("The national registry identifier is longer than %(n)d characters.")
        % {"n": MAX_NATIONAL_ID},
        "decile_invalid": _("A decile (desil) is a whole number from 1 to 10, not “%(value)s”.") % {"value": value},
    }
    return f"{_COLUMN_OF.get(code, 'NIK')}: {messages[code]}"


_COLUMN_OF = {
    "kk": "NO_KK",
    "nik": "NIK",
    "nik_duplicate": "NIK",
    "name_required": "NAMA",
    "name_long": "NAMA",
    "sex_invalid": "JENIS_KELAMIN",
    "birth_place_long": "TEMPAT_LAHIR",
    "birth_date_required": "TANGGAL_LAHIR",
    "birth_date_format": "TANGGAL_LAHIR",
    "birth_date_invalid": "TANGGAL_LAHIR",
    "birth_date_future": "TANGGAL_LAHIR",
    "relationship_invalid": "HUBUNGAN_KELUARGA",
    "address_required": "ALAMAT",
    "address_long": "ALAMAT",
    "rt_invalid": "RT",
    "rw_invalid": "RW",
    "village_unknown": "KODE_WILAYAH",
    "source_long": "SUMBER",
    "year_invalid": "TAHUN",
    "national_id_long": "ID_DTKS",
    "decile_invalid": "DESIL",
}
