"""How alike two person records are, weighed as a clerk would: the one scoring function of
the registration check and of the registry-wide check.

Points for what speaks for one person (the same NIK or one a typo away, the same name however
spelled, the same birth date or one with day and month swapped, sex, village, household) and
against (two different valid NIKs, different names, different birth dates, the other sex).
Twins (one household, one birth date, different names) and namesakes (one common name,
different birth dates) score low by these rules, and twins are ruled out by name.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from clients.models import DuplicateCandidate
from clients.nik import parse_nik

# *default* thresholds: at or above LIKELY a "likely duplicate", at or above POSSIBLE a
# "possible duplicate, needs review"; below, not a candidate.
LIKELY = 70
POSSIBLE = 50

# Points per finding (*default*).
WEIGHTS = {
    "nik_equal": 60,
    "nik_near": 40,  # one digit apart, or two adjacent digits swapped; both valid
    "nik_different": -30,  # both valid and not near
    "name_equal": 35,
    "name_joined": 32,  # the same once words are joined: Abdurrahman / Abdul Rahman
    "name_near": 25,  # a letter or two apart, or the words in another order
    "name_partial": 15,  # one name holds the other's words: Siti Aminah / Siti Aminah Lubis
    "name_different": -35,
    "birth_equal": 25,
    "birth_swapped": 18,  # day and month swapped
    "birth_different": -30,
    "sex_equal": 5,
    "sex_different": -20,
    "village_equal": 5,
    "household_equal": 3,
    "relationship_equal": 2,  # in one household, the same place in it
}

REASON_LABELS = {
    "nik_equal": _("same NIK"),
    "nik_near": _("NIK one typo apart"),
    "nik_different": _("different NIKs"),
    "name_equal": _("same name"),
    "name_joined": _("same name, words joined or split"),
    "name_near": _("name spelled differently"),
    "name_partial": _("one name holds the other"),
    "name_different": _("different names"),
    "birth_equal": _("same birth date"),
    "birth_swapped": _("birth day and month swapped"),
    "birth_different": _("different birth dates"),
    "sex_equal": _("same sex"),
    "sex_different": _("different sex"),
    "village_equal": _("same village"),
    "household_equal": _("same household (KK)"),
    "relationship_equal": _("same relationship in the household"),
    "twins": _("twins: same household and birth date, different names"),
}


@dataclass(frozen=True)
class Record:
    """What the score looks at of a person (a row of the check, or the form being filled in)."""

    id: int | None
    nik: str | None
    name_key: str
    sex: str
    birth_date: datetime.date | None
    village_id: int | None
    household_id: int | None
    relationship: str


@dataclass(frozen=True)
class Score:
    points: int
    reasons: tuple[str, ...]

    @property
    def level(self) -> str | None:
        """"likely", "possible", or None (not a candidate): DuplicateCandidate.Level's values."""
        if self.points >= LIKELY:
            return "likely"
        if self.points >= POSSIBLE:
            return "possible"
        return None

    @property
    def level_label(self) -> str:
        return DuplicateCandidate.Level(self.level).label if self.level else ""

    @property
    def reason_texts(self) -> list[str]:
        return reason_labels(self.reasons)


_ABDUL = re.compile(r"abdul(?=[tdrzsnl])")  # Abdul Rahman is said and written Abdurrahman
_DOUBLED = re.compile(r"([a-z])\1+")


def joined_key(name_key: str) -> str:
    """The name key with its words joined, the article of Abdul assimilated and doubled letters
    single: "abdul rahman" and "abdurahman" (Abdurrahman) are both "abdurahman". The same rule
    as JOINED_KEY_SQL."""
    return _DOUBLED.sub(r"\1", _ABDUL.sub("abdu", name_key.replace(" ", "")))


# The same as joined_key, in PostgreSQL (the check's blocking joins on it).
JOINED_KEY_SQL = (
    "regexp_replace(regexp_replace(replace({col}, ' ', ''), 'abdul([tdrzsnl])', 'abdu\\1', 'g'),"
    " '([a-z])\\1+', '\\1', 'g')"
)


def _trigrams(text: str) -> set[str]:
    found: set[str] = set()
    for word in text.split():
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity of two name keys: shared trigrams over all trigrams."""
    first, second = _trigrams(a), _trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def _edit_distance_at_most_two(a: str, b: str) -> bool:
    """Within two letters (insertions, deletions, changes; an adjacent swap counts two)."""
    if abs(len(a) - len(b)) > 2:
        return False
    previous = list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (letter != other)))
        if min(current) > 2:
            return False
        previous = current
    return previous[-1] <= 2


@functools.lru_cache(maxsize=65536)
def _valid_nik(nik: str | None) -> bool:
    """(Cached: the registry-wide check meets one NIK in several pairs.)"""
    if not nik:
        return False
    try:
        parse_nik(nik)
    except Exception:  # noqa: BLE001 - any refusal means "not a valid NIK" here
        return False
    return True


def nik_near(a: str, b: str) -> bool:
    """One digit apart, or two adjacent digits swapped (the typist's two slips)."""
    if len(a) != len(b) or a == b:
        return False
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    if len(differ) == 1:
        return True
    return len(differ) == 2 and differ[1] == differ[0] + 1 and a[differ[0]] == b[differ[1]] and a[differ[1]] == b[differ[0]]


def _swapped(a: datetime.date, b: datetime.date) -> bool:
    return a.year == b.year and a.day == b.month and a.month == b.day and a != b


def _name_finding(a: str, b: str) -> str:
    if a == b:
        return "name_equal"
    if joined_key(a) == joined_key(b):
        return "name_joined"
    if sorted(a.split()) == sorted(b.split()) or _edit_distance_at_most_two(a, b) or similarity(a, b) >= 0.8:
        return "name_near"
    small, big = sorted((set(a.split()), set(b.split())), key=len)
    if len(small) >= 2 and small < big:
        return "name_partial"
    return "name_different"


def score(a: Record, b: Record) -> Score:
    """The points of a pair and the findings behind them (codes of REASON_LABELS)."""
    reasons: list[str] = []
    if a.nik and b.nik:
        if a.nik == b.nik:
            reasons.append("nik_equal")
        elif _valid_nik(a.nik) and _valid_nik(b.nik):
            reasons.append("nik_near" if nik_near(a.nik, b.nik) else "nik_different")
    name = _name_finding(a.name_key, b.name_key) if a.name_key and b.name_key else None
    if name:
        reasons.append(name)
    if a.birth_date and b.birth_date:
        if a.birth_date == b.birth_date:
            reasons.append("birth_equal")
        elif _swapped(a.birth_date, b.birth_date):
            reasons.append("birth_swapped")
        else:
            reasons.append("birth_different")
    if a.sex and b.sex:
        reasons.append("sex_equal" if a.sex == b.sex else "sex_different")
    if a.village_id and a.village_id == b.village_id:
        reasons.append("village_equal")
    same_household = a.household_id is not None and a.household_id == b.household_id
    if same_household:
        reasons.append("household_equal")
        if a.relationship and a.relationship == b.relationship:
            reasons.append("relationship_equal")
    points = sum(WEIGHTS[reason] for reason in reasons)
    if same_household and "birth_equal" in reasons and _twins(name, a, b):
        return Score(min(points, 0), (*reasons, "twins"))
    return Score(points, tuple(reasons))


def _twins(name: str | None, a: Record, b: Record) -> bool:
    """Of one household and born the same day: twins, not one person, when their names differ,
    or are a letter apart while each has a NIK of their own (twins' serials follow each other)."""
    if name in ("name_equal", "name_joined"):
        return False
    return name != "name_near" or bool(a.nik and b.nik and a.nik != b.nik)


def reason_labels(reasons) -> list[str]:
    return [str(REASON_LABELS.get(code, code)) for code in reasons]
