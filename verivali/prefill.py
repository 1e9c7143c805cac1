"""No typing twice: the scorecard questions the registry already answers.

The head's education (S01) and occupation (S02) and the number of members chronically ill or
disabled (S04) are read from the persons' records (``clients.models.Person``: ``education``,
``occupation``, ``chronic_illness``, ``disability``/``disability_kinds``), so the survey form
starts with them chosen. The surveyor still sees and may change every answer.

A rule picks an answer only when the version's option says what the rule means (``marker``, in
the option's own words): a district's own scorecard, or an older version whose option does not
say it, gets no pre-filled answer rather than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# (words the registry writes, the answer's score, a marker the option's text holds)
EDUCATION_RULES: list[tuple[tuple[str, ...], int, str]] = [
    (("tidak sekolah", "belum sekolah", "tidak tamat", "belum tamat", "tidak pernah sekolah"), 1, "tidak"),
    (("sd", "mi", "sekolah dasar", "paket a"), 2, "sd"),
    (("smp", "mts", "sltp", "paket b"), 3, "smp"),
    (("sma", "smk", "ma", "slta", "paket c", "diploma", "d1", "d2", "d3", "d4", "s1", "s2", "s3", "sarjana",
      "akademi", "universitas", "pt"), 4, "sma"),
]  # fmt: skip
OCCUPATION_RULES: list[tuple[tuple[str, ...], int, str]] = [
    (("tidak bekerja", "belum bekerja", "tidak punya pekerjaan", "pengangguran"), 1, "tidak bekerja"),
    (("buruh", "kuli", "serabutan"), 1, "buruh"),
    (("petani", "nelayan", "pekebun", "peternak"), 2, "petani"),
    (("pedagang kecil", "pedagang keliling", "warung"), 3, "pedagang kecil"),
    (("wirausaha", "wiraswasta", "pengusaha", "pedagang sandang"), 4, "wirausaha"),
]  # fmt: skip
# S04 by the number of members chronically ill or disabled: the score and the option's marker.
# Exactly three is the gap of version 1 ("> 3", "2", "1", "none"): only an option that says
# "3 or more" takes it.
SICK_RULES = {0: (4, "tidak ada"), 1: (3, "1"), 2: (2, "2"), 3: (1, "≥ 3")}
MANY_SICK = (1, "3")

EDUCATION_CODE, OCCUPATION_CODE, SICK_CODE = "S01", "S02", "S04"


def _normalised(text: str) -> str:
    return " " + " ".join(re.sub(r"[^0-9a-z]+", " ", (text or "").lower()).split()) + " "


def _option_says(indicator, score: int, marker: str) -> bool:
    return marker in dict(indicator.options)[score].lower()


def _by_rules(text: str, rules, indicator) -> int | None:
    words = _normalised(text)
    if not words.strip():
        return None
    for phrases, score, marker in rules:
        if any(f" {phrase} " in words for phrase in phrases):
            return score if _option_says(indicator, score, marker) else None
    return None


def sick_count_answer(count: int, indicator) -> int | None:
    score, marker = SICK_RULES.get(count, MANY_SICK)
    return score if _option_says(indicator, score, marker) else None


@dataclass(frozen=True)
class MemberFacts:
    """What the form shows of a member: from the registry, or the surveyor's saved correction."""

    is_head: bool
    lives_here: bool
    education: str = ""
    occupation: str = ""
    chronic_illness: str = ""
    disability_kinds: tuple[str, ...] = ()
    disability_words: str = ""
    checked: bool = False  # the surveyor confirmed these values: empty means "none"

    @property
    def sick_or_disabled(self) -> bool:
        return bool(self.chronic_illness.strip() or self.disability_kinds or self.disability_words.strip())


def prefilled_answers(indicators: Iterable, members: Iterable[MemberFacts]) -> dict[str, int]:
    """Answers by indicator code that the facts settle. S04 is answered "none" only when the
    surveyor confirmed every member (the registry's empty field may just be unknown)."""
    members = list(members)
    by_code = {indicator.code: indicator for indicator in indicators}
    head = next((m for m in members if m.is_head), None)
    answers: dict[str, int | None] = {}
    if head is not None and EDUCATION_CODE in by_code:
        answers[EDUCATION_CODE] = _by_rules(head.education, EDUCATION_RULES, by_code[EDUCATION_CODE])
    if head is not None and OCCUPATION_CODE in by_code:
        answers[OCCUPATION_CODE] = _by_rules(head.occupation, OCCUPATION_RULES, by_code[OCCUPATION_CODE])
    living = [m for m in members if m.lives_here]
    sick = sum(1 for m in living if m.sick_or_disabled)
    if SICK_CODE in by_code and living and (sick or all(m.checked for m in living)):
        answers[SICK_CODE] = sick_count_answer(sick, by_code[SICK_CODE])
    return {code: value for code, value in answers.items() if value is not None}
