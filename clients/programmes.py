"""Programme participation: what a family receives (PKH, BPNT, PBI-JKN, …), from the agencies'
lists and from the referrals the office saw granted.

An agency's list is imported with the registry import's machinery (``registry.reader`` reads CSV
or XLSX, the same error report of line, reasons and the row as it was): one row per recipient in
the template ``NIK, NO_KK, PROGRAM, MULAI, SELESAI, SUMBER``. A household programme (PKH, BPNT)
needs the KK number or the NIK of a member; a person's programme (PBI-JKN, KIP) the NIK. One
transaction; the same file twice changes nothing (a row's key is programme, recipient and start).
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Household, Participation, Person, Programme
from clients.nik import parse_kk, parse_nik
from clients.registry.reader import RegistryFile
from clients.registry.result import Rejected
from clients.registry.rows import MAX_SOURCE, collapse, parse_template_date
from pandu.exports import escape_formula
from pandu.text import mentioning

COLUMNS = ("NIK", "NO_KK", "PROGRAM", "MULAI", "SELESAI", "SUMBER")
REQUIRED_COLUMNS = ("PROGRAM", "MULAI")


# --- What a family receives -------------------------------------------------------------------


def current_q(on: datetime.date | None = None) -> Q:
    on = on or timezone.localdate()
    return Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def family_programmes(*, household: Household | None, person: Person | None = None) -> QuerySet[Participation]:
    """What the household and each of its members receive today (or the person alone, without a
    household)."""
    if household is not None:
        whose = Q(household=household) | Q(person_id__in=_member_ids(household.pk))
    elif person is not None:
        whose = Q(person=person)
    else:
        return Participation.objects.none()
    return (Participation.objects.filter(whose, current_q()).select_related("programme", "person")
            .order_by("programme__code", "person__full_name"))


def programmes_received(person: Person) -> set[int]:
    """The ids of the programmes the person or their household receives today (eligibility's
    "not already in programme X")."""
    whose = Q(person=person)
    if person.household_id:
        household_programmes = list(Programme.objects.filter(unit=Programme.Unit.HOUSEHOLD).values_list("pk", flat=True))
        whose |= Q(household_id=person.household_id) | Q(person_id__in=_member_ids(person.household_id),
                                                         programme_id__in=household_programmes)
    return set(Participation.objects.filter(whose, current_q()).values_list("programme_id", flat=True))


def _member_ids(household_id: int) -> list[int]:
    """The household's members, as ids: every condition on the participations then reads their
    own indexes (a join to the persons inside an OR read every participation: 0.5 s a person
    page with 300,000 of them)."""
    return list(Person.objects.filter(household_id=household_id).values_list("pk", flat=True))


# --- Recording a participation ------------------------------------------------------------------


@transaction.atomic
def participation_record(*, programme: Programme, person: Person | None = None, household: Household | None = None,
                         starts_on: datetime.date, ends_on: datetime.date | None = None, source: str,
                         as_of: datetime.date | None = None, referral_id: int | None = None) -> Participation:
    """Record (or bring up to date) that someone receives a programme from a date. A household
    programme is recorded on the household (the person's, when only the person is named)."""
    if programme.unit == Programme.Unit.HOUSEHOLD:
        household, person = household or (person.household if person else None), None
    else:
        household = None
    if household is None and person is None:
        raise ValidationError(_("%(programme)s is given to a household: the person has none.")
                              % {"programme": programme.code})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("The programme ends before it starts."))
    values = {"ends_on": ends_on, "source": source[:MAX_SOURCE], "as_of": as_of or timezone.localdate()}
    if referral_id is not None:
        values["referral_id"] = referral_id
    participation, _created = Participation.objects.update_or_create(
        programme=programme, household=household, person=person, starts_on=starts_on, defaults=values,
    )
    return participation


def participations_anonymise(*, person: Person, household: Household | None, needles: list[str],
                             removed_text: str) -> int:
    """Anonymising a person (``pandu.office.privacy``): their participations and their household's
    stay, facts the agencies and the reports count; a source that names them (a list's file named
    after the person) does not. Returns how many sources were replaced."""
    whose = Q(person=person) | (Q(household=household) if household is not None else Q(pk__in=[]))
    field = Participation._meta.get_field("source")
    return Participation.objects.filter(whose).filter(mentioning("source", needles)).update(
        source=removed_text[:field.max_length], updated_at=timezone.now())


# --- Importing an agency's list ----------------------------------------------------------------


@dataclass
class ProgrammeImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    saved: bool = False

    def summary_line(self) -> str:
        return (f"participations created={self.created} updated={self.updated} unchanged={self.unchanged}; "
                f"rejected={len(self.rejected)}")

    def write_errors(self, handle) -> None:
        """The error report, as the registry import's: line, every reason, the row as it was."""
        writer = csv.writer(handle)
        writer.writerow(["LINE", "REASONS", *COLUMNS])
        for item in self.rejected:
            writer.writerow([item.line, " | ".join(item.codes), *map(escape_formula, item.values)])


@dataclass(frozen=True)
class _Row:
    programme: Programme
    person: Person | None
    household: Household | None
    starts_on: datetime.date
    ends_on: datetime.date | None
    source: str


class _Rollback(Exception):
    pass


def _check(raw: dict[str, str], *, programmes: dict[str, Programme], default_source: str,
           today: datetime.date) -> tuple[_Row | None, list[str]]:
    """One row's recipient, programme and period, or every reason it is refused (as sentences)."""
    reasons: list[str] = []
    code = collapse(raw["PROGRAM"]).upper()
    programme = programmes.get(code)
    if programme is None:
        reasons.append("PROGRAM: " + (_("Unknown programme “%(value)s”; use one of: %(codes)s.")
                                      % {"value": code, "codes": ", ".join(sorted(programmes))}))
    person = household = None
    nik_text, kk_text = collapse(raw["NIK"]), collapse(raw["NO_KK"])
    if nik_text:
        try:
            nik = parse_nik(nik_text, today=today).nik
        except ValidationError as error:
            reasons.append(f"NIK: {error.messages[0]}")
        else:
            person = Person.objects.filter(nik=nik).select_related("household").first()
            if person is None:
                reasons.append("NIK: " + _("No person with this NIK is in the registry: import or register them first."))
    if kk_text:
        try:
            kk = parse_kk(kk_text)
        except ValidationError as error:
            reasons.append(f"NO_KK: {error.messages[0]}")
        else:
            household = Household.objects.filter(kk_number=kk).first()
            if household is None:
                reasons.append("NO_KK: " + _("No household with this KK number is in the registry."))
    if not nik_text and not kk_text:
        reasons.append("NIK: " + _("Give the NIK of the recipient or the KK number of the household."))
    if programme is not None and programme.unit == Programme.Unit.PERSON and not nik_text:
        reasons.append("NIK: " + _("%(programme)s is given to a person: the NIK is needed.") % {"programme": code})
    if person is not None and household is not None and person.household_id != household.pk:
        reasons.append("NO_KK: " + _("The person with this NIK is in another household (KK %(kk)s).")
                       % {"kk": person.household.kk_number if person.household else "-"})
    starts_on, problem = parse_template_date(collapse(raw["MULAI"]))
    if problem:
        reasons.append("MULAI: " + problem)
    ends_on, problem = (None, "") if not collapse(raw["SELESAI"]) else parse_template_date(collapse(raw["SELESAI"]))
    if problem:
        reasons.append("SELESAI: " + problem)
    elif starts_on and ends_on and ends_on < starts_on:
        reasons.append("SELESAI: " + _("The end is before the start."))
    source = (collapse(raw["SUMBER"]) or default_source).upper()
    if len(source) > MAX_SOURCE:
        reasons.append("SUMBER: " + _("The source is longer than %(n)d characters.") % {"n": MAX_SOURCE})
    if reasons:
        return None, reasons
    if programme.unit == Programme.Unit.HOUSEHOLD:
        household, person = household or person.household, None
        if household is None:
            return None, ["NIK: " + _("%(programme)s is given to a household: the person has none.") % {"programme": code}]
    else:
        household = None
    return _Row(programme, person, household, starts_on, ends_on, source), []


def programme_import(path: str | Path, *, source: str = "", as_of: datetime.date | None = None,
                     dry_run: bool = False, today: datetime.date | None = None) -> ProgrammeImportResult:
    """Import an agency's list in one transaction: valid rows recorded (or brought up to date),
    invalid rows in the error report. A dry run saves nothing."""
    today = today or timezone.localdate()
    as_of = as_of or today
    default_source = source or Path(path).stem
    result = ProgrammeImportResult()
    programmes = {p.code.upper(): p for p in Programme.objects.filter(is_active=True)}
    try:
        with transaction.atomic(), RegistryFile(path, columns=COLUMNS, required=REQUIRED_COLUMNS) as reader:
            seen: dict[tuple, int] = {}
            for line, values in reader.rows():
                result.rows += 1
                raw = dict(zip(COLUMNS, values, strict=True))
                row, reasons = _check(raw, programmes=programmes, default_source=default_source, today=today)
                if row is not None:
                    key = (row.programme.pk, getattr(row.household, "pk", None), getattr(row.person, "pk", None),
                           row.starts_on)
                    first = seen.setdefault(key, line)
                    if first != line:
                        reasons = ["PROGRAM: " + _("The same recipient, programme and start as line %(line)s; the "
                                                   "first row counts.") % {"line": first}]
                if reasons:
                    result.rejected.append(Rejected(line, reasons, values))
                    continue
                _save(row, as_of=as_of, result=result)
            if dry_run:
                raise _Rollback
            result.saved = True
    except _Rollback:
        pass
    return result


def _save(row: _Row, *, as_of: datetime.date, result: ProgrammeImportResult) -> None:
    existing = Participation.objects.filter(programme=row.programme, household=row.household, person=row.person,
                                            starts_on=row.starts_on).first()
    if existing is None:
        Participation.objects.create(programme=row.programme, household=row.household, person=row.person,
                                     starts_on=row.starts_on, ends_on=row.ends_on, source=row.source, as_of=as_of)
        result.created += 1
    elif (existing.ends_on, existing.source) != (row.ends_on, row.source):
        existing.ends_on, existing.source, existing.as_of = row.ends_on, row.source, as_of
        existing.save(update_fields=["ends_on", "source", "as_of", "updated_at"])
        result.updated += 1
    else:
        result.unchanged += 1
