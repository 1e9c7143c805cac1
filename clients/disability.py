"""Disability as data: which row of the paper's Table 1 (Data PMKS Kabupaten Berau) a disabled
person counts in.

Each living person with a recorded kind of disability counts in exactly one row, the first that
fits, on a given day:

1. ``child`` — under 18 that day (*Anak Cacat*, PMKS "anak dengan kedisabilitasan");
2. ``severe`` — a severe disability, of any kind (*ODK Berat*);
3. ``multiple`` — marked "ganda", or kinds of two or more of the groups below (*Cacat Fisik dan
   Mental*);
4. ``physical`` (*Daksa*), ``sight`` (*Netra*/*Mata*), ``hearing_speech`` (*Rungu/Wicara*: deaf,
   mute or both is one group) and ``mental`` (mental or intellectual, *Mental*).

The same rule is written twice: :func:`table_one_group` for one person (the person's page, the
tests' plain counts) and :func:`table_one_group_sql` for the counts (``clients.selectors``).
"""

from __future__ import annotations

import datetime

from clients.models import DisabilityKind, DisabilitySeverity

K = DisabilityKind
# The single-kind rows and the kinds each counts.
GROUP_KINDS: dict[str, tuple[str, ...]] = {
    "physical": (K.PHYSICAL,),
    "sight": (K.SIGHT,),
    "hearing_speech": (K.HEARING, K.SPEECH),
    "mental": (K.MENTAL, K.INTELLECTUAL),
}
GROUPS = ("child", "physical", "sight", "hearing_speech", "mental", "multiple", "severe")


def adult_born_on_or_before(on: datetime.date) -> datetime.date:
    """The last birth date of a person 18 or older on ``on`` (29 February: 28 February)."""
    try:
        return on.replace(year=on.year - 18)
    except ValueError:
        return on.replace(year=on.year - 18, day=28)


def table_one_group(
    kinds: list[str], severity: str, birth_date: datetime.date | None, *, on: datetime.date
) -> str | None:
    """The Table 1 row of a living person with these kinds, or None without a disability. A
    person without a birth date counts as an adult."""
    if not kinds:
        return None
    if birth_date is not None and birth_date > adult_born_on_or_before(on):
        return "child"
    if severity == DisabilitySeverity.SEVERE:
        return "severe"
    groups = [group for group, members in GROUP_KINDS.items() if set(members) & set(kinds)]
    if K.MULTIPLE in kinds or len(groups) != 1:
        return "multiple"
    return groups[0]


def table_one_group_sql(alias: str = "p") -> str:
    """The same rule as a SQL expression over ``clients_person`` (alias ``alias``); its one
    parameter is :func:`adult_born_on_or_before` of the day."""
    kinds = f"{alias}.disability_kinds"

    def has(members) -> str:
        return f"({kinds} && ARRAY[{', '.join(repr(str(m)) for m in members)}]::varchar(12)[])"

    groups_held = " + ".join(f"{has(members)}::int" for members in GROUP_KINDS.values())
    singles = " ".join(f"WHEN {has(members)} THEN '{group}'" for group, members in GROUP_KINDS.items())
    return (
        f"CASE WHEN {alias}.birth_date > %s THEN 'child'"
        f" WHEN {alias}.disability_severity = '{DisabilitySeverity.SEVERE}' THEN 'severe'"
        f" WHEN '{K.MULTIPLE}' = ANY({kinds}) OR ({groups_held}) <> 1 THEN 'multiple'"
        f" {singles} END"
    )
