"""Import a registry file: one transaction, valid rows in, rejected rows to the error report.

``registry_import`` is what the management command, the background job and the tests
call. It picks the fast path (COPY + set-wise SQL, ``fast.py``) or the row-by-row path
(``import_rows`` below, through the ORM); both apply ``rows.py``'s rules and give the same
counts, reasons and stored rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Household, Person, Region, RegistryChange, RegistryStatus
from clients.registry.fast import import_fast
from clients.registry.reader import RegistryFile
from clients.registry.result import ImportResult, Rejected
from clients.registry.rows import COLUMNS, CleanRow, check_row, row_nik

Progress = Callable[[str, int], None]  # (stage, rows done)

HOUSEHOLD_FIELDS = (
    "address",
    "rt",
    "rw",
    "village_id",
    "registry_status",
    "registry_source",
    "registry_year",
    "national_id",
    "decile",
    "decile_as_of",
)
PERSON_FIELDS = ("full_name", "sex", "birth_place", "birth_date", "relationship", "household_id")


class _Rollback(Exception):
    pass


def village_ids() -> dict[str, int]:
    return dict(Region.objects.filter(level__in=Region.VILLAGE_LEVELS).values_list("code", "id"))


def registry_import(
    path: str | Path,
    *,
    source: str = "",
    dry_run: bool = False,
    strict: bool = False,
    engine: str = "fast",
    user=None,
    reference: str = "",
    progress: Progress | None = None,
    today: datetime.date | None = None,
    as_of: datetime.date | None = None,
) -> ImportResult:
    """Import one file in one transaction. Dry run and a strict run with rejections save nothing.
    ``as_of``: the date of the file's deciles (DESIL), by default today."""
    today = today or timezone.localdate()
    progress = progress or (lambda stage, done: None)
    reference = (reference or f"import:{Path(path).name}")[:120]
    result = ImportResult()
    try:
        with transaction.atomic(), RegistryFile(path) as registry_file:
            run = import_fast if engine == "fast" else import_rows
            # A dry run (the browser's check of a file) never locks the registry's tables.
            run(registry_file, result=result, today=today, default_source=source, user=user,
                reference=reference, progress=progress, may_lock=not dry_run, as_of=as_of or today)  # fmt: skip
            if dry_run or (strict and result.rejected):
                raise _Rollback
            result.saved = True
    except _Rollback:
        if strict and result.rejected and not dry_run:
            result.households_created = result.households_updated = 0
            result.persons_created = result.persons_updated = result.registry_changes = 0
    return result


def import_rows(
    registry_file, *, result, today, default_source, user, reference, progress, may_lock=True, as_of=None
) -> None:
    """The row-by-row path: Python checks each row, the ORM writes each record."""
    villages = village_ids()
    first_line: dict[str, int] = {}
    valid: list[CleanRow] = []
    for line, values in registry_file.rows():
        raw = dict(zip(COLUMNS, values, strict=True))
        clean, codes = check_row(
            raw, line=line, villages=villages, today=today, default_source=default_source
        )
        nik = clean.nik if clean else row_nik(raw, today)
        if nik is not None:
            seen = first_line.setdefault(nik, line)
            if seen != line:
                codes = [*codes, f"nik_duplicate:{seen}"]
        result.rows += 1
        if codes:
            result.rejected.append(Rejected(line, codes, values))
        else:
            valid.append(clean)
        if result.rows % 10_000 == 0:
            progress("read", result.rows)
    progress("read", result.rows)

    households: dict[str, Household] = {}
    for row in valid:
        if row.kk_number in households:
            continue
        households[row.kk_number] = _household_upsert(
            row, result=result, user=user, reference=reference, as_of=as_of or today
        )
    progress("households", result.rows)

    for row in valid:
        _person_upsert(row, household=households[row.kk_number], result=result, user=user)
    progress("persons", result.rows)


def _household_upsert(row: CleanRow, *, result: ImportResult, user, reference: str,
                      as_of: datetime.date) -> Household:
    household = Household.objects.filter(kk_number=row.kk_number).first()
    old_status = household.registry_status if household else ""
    old_source = household.registry_source if household else None
    values = {
        "address": row.address,
        "rt": row.rt,
        "rw": row.rw,
        "village_id": row.village_id,
        "registry_status": RegistryStatus.LISTED,
        "registry_source": row.source or (household.registry_source if household else ""),
        "registry_year": row.year
        if row.year is not None
        else (household.registry_year if household else None),
        # the national identifier and decile: a file without them keeps what is stored; the
        # decile's date moves when the decile does
        "national_id": row.national_id or (household.national_id if household else ""),
        "decile": row.decile if row.decile is not None else (household.decile if household else None),
        "decile_as_of": household.decile_as_of if household else None,
    }
    if row.decile is not None and (household is None or household.decile != row.decile):
        values["decile_as_of"] = as_of
    if household is None:
        household = Household.objects.create(kk_number=row.kk_number, created_by=user, **values)
        result.households_created += 1
    else:
        changed = [name for name in HOUSEHOLD_FIELDS if getattr(household, name) != values[name]]
        if not changed:
            return household
        for name in changed:
            setattr(household, name, values[name])
        household.save(update_fields=[*changed, "updated_at"])
        result.households_updated += 1
    if old_status != household.registry_status or old_source != household.registry_source:
        RegistryChange.objects.create(
            household=household,
            from_status=old_status,
            to_status=household.registry_status,
            source=household.registry_source,
            year=household.registry_year,
            reason=_("Registry import"),
            reference=reference,
            changed_by=user,
        )
        result.registry_changes += 1
    return household


def _person_upsert(row: CleanRow, *, household: Household, result: ImportResult, user) -> None:
    values = {
        "full_name": row.full_name,
        "sex": row.sex,
        "birth_place": row.birth_place,
        "birth_date": row.birth_date,
        "relationship": row.relationship,
        "household_id": household.pk,
    }
    person = Person.objects.filter(nik=row.nik).first()
    if person is None:
        Person.objects.create(nik=row.nik, created_by=user, **values)
        result.persons_created += 1
        return
    changed = [name for name in PERSON_FIELDS if getattr(person, name) != values[name]]
    if changed:
        for name in changed:
            setattr(person, name, values[name])
        person.save(update_fields=[*changed, "updated_at"])
        result.persons_updated += 1
