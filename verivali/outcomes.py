"""What the surveyor found of a household, and what validation and the decree make of it.

A survey ends with one household-level outcome (``Assessment.Outcome``): found as listed, not
found, moved, split into new households, duplicate of another household; and a finding per
member (``MemberCheck.Finding``). The surveyor also confirms or corrects what the registry knows
of the members (the head's education and occupation, chronic illness, disability: ``prefill``).

- On **validation** the member findings and corrections are written to the persons through the
  registry upkeep services (``clients.changes``): a birth, a death, a move to another KK each write
  the member history, the audit event and the national proposal, as at the desk.
- The **decree** applies the household-level outcome (``decree_apply``) with the registry status:
  ``docs/verivali.md`` says what each outcome does.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.changes import (
    household_split,
    national_proposal_add,
    person_move,
    person_record_birth,
    person_record_death,
)
from clients.models import Household, NationalProposal, Person, Region, RegistryStatus
from clients.services import household_set_registry_status, household_update, person_update
from pandu.audit import audit_record
from pandu.models import AuditEvent
from verivali.models import Assessment, Batch, ClassBand, MemberCheck, SplitHousehold, SplitMember

LISTED_CLASSES = {
    ClassBand.WelfareClass.VERY_POOR,
    ClassBand.WelfareClass.POOR,
    ClassBand.WelfareClass.NEAR_POOR,
}
Outcome = Assessment.Outcome


@dataclass(frozen=True)
class SplitPlan:
    """One new household split off the surveyed one: members are persons of the surveyed household."""

    kk_number: str
    head_id: int
    member_ids: tuple[int, ...]
    address: str = ""


@dataclass(frozen=True)
class OutcomeReport:
    outcome: str = Outcome.FOUND
    note: str = ""
    moved_village: Region | None = None
    moved_address: str = ""
    moved_outside_place: str = ""
    duplicate_of: Household | None = None
    splits: tuple[SplitPlan, ...] = ()


@dataclass(frozen=True)
class MemberDetails:
    """A member's line of the survey beyond the finding: where they moved and when, and the
    registry facts the surveyor confirmed (``checked``) or corrected."""

    to_household: Household | None = None
    relationship: str = ""
    on: datetime.date | None = None
    checked: bool = False
    education: str = ""
    occupation: str = ""
    chronic_illness: str = ""
    disability_kinds: tuple[str, ...] = ()


# --- the survey ---------------------------------------------------------------------------------


def outcome_store(*, assessment: Assessment, report: OutcomeReport, member_ids: set[int]) -> None:
    """Keep the outcome the surveyor chose and what it needs (a draft may still be incomplete)."""
    if report.outcome not in Outcome.values:
        raise ValidationError(_("Choose what you found of the household."))
    if report.duplicate_of is not None and report.duplicate_of.pk == assessment.household_id:
        raise ValidationError(_("A household is not a duplicate of itself: enter the other household's KK number."))
    for plan in report.splits:
        if not set(plan.member_ids) | {plan.head_id} <= member_ids:
            raise ValidationError(_("Only members of this household can leave into a new household."))
    assessment.outcome = report.outcome
    assessment.outcome_note = report.note.strip()[:255]
    moved = report.outcome == Outcome.MOVED
    assessment.moved_village = report.moved_village if moved else None
    assessment.moved_address = report.moved_address.strip() if moved else ""
    assessment.moved_outside_place = report.moved_outside_place.strip() if moved else ""
    assessment.duplicate_of = report.duplicate_of if report.outcome == Outcome.DUPLICATE else None
    assessment.splits.all().delete()
    if report.outcome == Outcome.SPLIT:
        for plan in report.splits:
            split = SplitHousehold.objects.create(
                assessment=assessment, kk_number=plan.kk_number, address=plan.address.strip(), head_id=plan.head_id
            )
            SplitMember.objects.bulk_create(
                SplitMember(split=split, person_id=person_id)
                for person_id in sorted(set(plan.member_ids) | {plan.head_id})
            )


def member_details_store(*, assessment: Assessment, details: Mapping[int, MemberDetails]) -> None:
    """Called before the findings are written (``member_findings_store``): a member moved to
    another KK gets the household first, a member no longer moved loses it."""
    for person_id, item in details.items():
        if item.to_household is None:
            MemberCheck.objects.filter(
                assessment=assessment, person_id=person_id, finding=MemberCheck.Finding.MOVED_KK
            ).update(finding=MemberCheck.Finding.PRESENT)
        MemberCheck.objects.update_or_create(
            assessment=assessment, person_id=person_id,
            defaults={
                "to_household": item.to_household, "relationship": item.relationship, "on": item.on,
                "details_checked": item.checked, "education": item.education.strip(),
                "occupation": item.occupation.strip(), "chronic_illness": item.chronic_illness.strip(),
                "disability_kinds": list(dict.fromkeys(item.disability_kinds)),
            },
        )


def member_findings_store(*, assessment: Assessment, findings: Mapping[int, str]) -> None:
    for person_id, finding in findings.items():
        if finding not in MemberCheck.Finding.values or finding == MemberCheck.Finding.BORN:
            raise ValidationError(_("Choose what you found of each member."))
        if finding == MemberCheck.Finding.MOVED_KK and not MemberCheck.objects.filter(
            assessment=assessment, person_id=person_id, to_household__isnull=False
        ).exists():
            raise ValidationError(_("A member moved to another KK needs that household's KK number."))
        MemberCheck.objects.update_or_create(
            assessment=assessment, person_id=person_id, defaults={"finding": finding}
        )


def _kk_taken(kk_number: str) -> bool:
    return Household.objects.filter(kk_number=kk_number).exists()


def outcome_check_ready(assessment: Assessment, *, answered: int, questions: int) -> bool:
    """Refuse a submission the outcome is not complete for; return whether it is scored: always a
    household found (every answer is then required), a household moved or split when every
    question is answered (some answers alone may be the ones pre-filled from the registry). A
    photo is required but for a duplicate (a finding of the records, not of the house):
    ``needs_photo``."""
    outcome = assessment.outcome
    if outcome == Outcome.NOT_FOUND and not assessment.outcome_note:
        raise ValidationError(_("Not found: write what you found (for example: the house is empty, the neighbours "
                                "say they left in 2025)."), code="outcome_incomplete")
    if outcome == Outcome.MOVED:
        inside = assessment.moved_village_id is not None
        outside = bool(assessment.moved_outside_place)
        if inside == outside:
            raise ValidationError(_("Moved: choose the village of Berau they moved to, or write the place outside "
                                    "Berau; one of the two."), code="outcome_incomplete")
        if inside and not assessment.moved_address:
            raise ValidationError(_("Moved: write the new address in the village."), code="outcome_incomplete")
    if outcome == Outcome.DUPLICATE and assessment.duplicate_of_id is None:
        raise ValidationError(_("Duplicate: enter the KK number of the household it duplicates."),
                              code="outcome_incomplete")
    if outcome == Outcome.SPLIT:
        _check_splits(assessment)
    _check_newborns(assessment)
    if outcome in Assessment.SCORED_ALWAYS:
        return True
    return outcome in Assessment.SCORED_OPTIONALLY and answered >= questions


def _check_newborns(assessment: Assessment) -> None:
    """A birth is recorded on validation (``person_record_birth``): it needs its date, within a
    year. A draft may wait for it (the phone's too)."""
    year_ago = timezone.localdate() - datetime.timedelta(days=366)
    for check in assessment.member_checks.filter(finding=MemberCheck.Finding.BORN, person__isnull=True):
        if check.birth_date is None or check.birth_date < year_ago:
            raise ValidationError(
                _("The newborn %(name)s needs a date of birth within the last year. An older child is "
                  "registered as a member at the front desk.") % {"name": check.full_name},
                code="newborn",
            )


def needs_photo(assessment: Assessment) -> bool:
    return assessment.outcome != Outcome.DUPLICATE


def _check_splits(assessment: Assessment) -> None:
    splits = list(assessment.splits.prefetch_related("memberships"))
    if not splits:
        raise ValidationError(_("Split: enter at least one new household with its KK number, head and members."),
                              code="outcome_incomplete")
    leaving: set[int] = set()
    for split in splits:
        if _kk_taken(split.kk_number):
            raise ValidationError(_("Split: KK %(kk)s is already registered. If the members joined that household, "
                                    "record them as moved to another KK.") % {"kk": split.kk_number},
                                  code="outcome_incomplete")
        members = {member.person_id for member in split.memberships.all()}
        if members & leaving:
            raise ValidationError(_("Split: a member can leave into one new household only."),
                                  code="outcome_incomplete")
        leaving |= members
    staying = assessment.household.members.exclude(pk__in=leaving).exclude(life_status=Person.LifeStatus.DECEASED)
    if not staying.exists():
        raise ValidationError(_("Split: at least one member stays in the surveyed household. If everyone lives "
                                "under a new KK, choose moved or found."), code="outcome_incomplete")


# --- validation: the members ---------------------------------------------------------------------


def _survey_day(assessment: Assessment) -> datetime.date:
    return timezone.localdate(assessment.submitted_at) if assessment.submitted_at else timezone.localdate()


def _note(assessment: Assessment) -> str:
    return _("Verivali survey %(id)s (%(batch)s)") % {"id": assessment.pk, "batch": assessment.batch.code}


def _write_back(check: MemberCheck, validator) -> None:
    """What the surveyor corrected of the registry becomes the person's record (audit: person_update)."""
    person = check.person
    if person.is_anonymised or person.life_status == Person.LifeStatus.DECEASED:
        return
    fields: dict = {}
    if person.relationship == Person.Relationship.HEAD:
        for name in ("education", "occupation"):
            if getattr(check, name) != getattr(person, name):
                fields[name] = getattr(check, name)
    if check.chronic_illness != person.chronic_illness:
        fields["chronic_illness"] = check.chronic_illness
    if set(check.disability_kinds) != set(person.disability_kinds):
        fields["disability_kinds"] = list(check.disability_kinds)
        if not check.disability_kinds:
            fields["disability_severity"] = ""
    if fields:
        person_update(person=person, changed_by=validator, nik=person.nik, no_nik_reason=person.no_nik_reason,
                      **fields)


def members_apply(*, assessment: Assessment, validator) -> None:
    """The member findings and corrections become the persons' records, each through the upkeep
    service a desk uses (history, audit, national proposal)."""
    day, note = _survey_day(assessment), _note(assessment)
    for check in assessment.member_checks.select_related("person__household", "to_household").order_by("pk"):
        person = check.person
        if check.finding == MemberCheck.Finding.BORN:
            if person is not None:
                continue
            if check.birth_date is None:
                raise ValidationError(_("The newborn %(name)s has no date of birth: return the survey to the "
                                        "surveyor.") % {"name": check.full_name})
            check.person = person_record_birth(
                household=assessment.household, full_name=check.full_name, sex=check.sex or Person.Sex.FEMALE,
                birth_date=check.birth_date, changed_by=validator, note=note,
                no_nik_reason=_("Newborn found by verivali survey %(id)s; NIK not recorded yet.") % {"id": assessment.pk},
            )
            check.save(update_fields=["person"])
            continue
        if person is None:
            continue
        if check.details_checked and check.finding == MemberCheck.Finding.PRESENT:
            _write_back(check, validator)
        if check.finding == MemberCheck.Finding.DECEASED and person.life_status != Person.LifeStatus.DECEASED:
            person_record_death(person=person, died_on=check.on or day, changed_by=validator,
                                note=note if check.on else _("%(note)s; the date of death is not known, the day of "
                                                             "the survey is written") % {"note": note})
        elif check.finding == MemberCheck.Finding.MOVED_KK and person.household_id != check.to_household_id:
            person_move(person=person, to_household=check.to_household,
                        relationship=check.relationship or Person.Relationship.OTHER_RELATIVE,
                        on=check.on or day, changed_by=validator, note=note)
        elif check.finding in (MemberCheck.Finding.MOVED, MemberCheck.Finding.PRESENT):
            life = Person.LifeStatus.MOVED if check.finding == MemberCheck.Finding.MOVED else Person.LifeStatus.ACTIVE
            if person.life_status != life and person.life_status != Person.LifeStatus.DECEASED:
                person.life_status = life
                person.save(update_fields=["life_status", "updated_at"])
                audit_record(user=validator, action=AuditEvent.Action.CHANGE, obj=person,
                             summary=f"verivali survey {assessment.pk}: life status {life}")


# --- the decree -----------------------------------------------------------------------------------


@dataclass
class Decree:
    batch: Batch
    head: object
    number: str
    date: datetime.date

    def reference(self, assessment: Assessment) -> str:
        return f"SK {self.number} · {_('assessment')} {assessment.pk}"


def _status(decree: Decree, assessment: Assessment, status: str, reason: str, household: Household | None = None):
    household_set_registry_status(
        household=household or assessment.household, status=status, changed_by=decree.head,
        source=decree.batch.registry_source, year=decree.date.year, reason=reason,
        reference=decree.reference(assessment),
    )


def _propose(decree: Decree, assessment: Assessment, kind: str, reason: str) -> None:
    national_proposal_add(kind=kind, cause=NationalProposal.Cause.VERIVALI, household=assessment.household,
                          proposed_by=decree.head,
                          reason=_("Verivali decree (SK) %(number)s: %(reason)s") % {"number": decree.number,
                                                                                    "reason": reason})


def _known_nationally(household: Household, was: str) -> bool:
    """The national registry has the household: it was listed, or carries a DTKS/DTSEN id."""
    return was == RegistryStatus.LISTED or bool(household.national_id)


def _classify(decree: Decree, assessment: Assessment, *, was: str, extra: str = "") -> None:
    """A scored household becomes listed or not listed by its class; the national registry is told
    of it entering (new), leaving (deactivation) or staying on the list (correction)."""
    label = dict(ClassBand.WelfareClass.choices)[assessment.welfare_class]
    listed = assessment.welfare_class in LISTED_CLASSES
    _status(decree, assessment, RegistryStatus.LISTED if listed else RegistryStatus.NOT_LISTED,
            _("Verivali %(batch)s: %(class)s, score %(score)s") % {
                "batch": decree.batch.name, "class": label, "score": assessment.score} + extra)
    if listed and was != RegistryStatus.LISTED:
        kind = NationalProposal.Kind.NEW
    elif not listed and was == RegistryStatus.LISTED:
        kind = NationalProposal.Kind.DEACTIVATION
    elif listed:
        kind = NationalProposal.Kind.CORRECTION
    else:
        return  # not listed before, not listed now: nothing to tell
    _propose(decree, assessment, kind, _("%(class)s, score %(score)s.") % {"class": label, "score": assessment.score}
             + extra)


def _not_found(decree: Decree, assessment: Assessment, was: str) -> None:
    reason = _("not found at its address. %(note)s") % {"note": assessment.outcome_note}
    _status(decree, assessment, RegistryStatus.NOT_LISTED,
            _("Verivali %(batch)s: %(reason)s") % {"batch": decree.batch.name, "reason": reason})
    if _known_nationally(assessment.household, was):
        _propose(decree, assessment, NationalProposal.Kind.DEACTIVATION, reason)


def _moved(decree: Decree, assessment: Assessment, was: str) -> None:
    household = assessment.household
    if assessment.moved_outside_place:
        reason = _("moved outside Berau, to %(place)s.") % {"place": assessment.moved_outside_place}
        _status(decree, assessment, RegistryStatus.NOT_LISTED,
                _("Verivali %(batch)s: %(reason)s") % {"batch": decree.batch.name, "reason": reason})
        if _known_nationally(household, was):
            _propose(decree, assessment, NationalProposal.Kind.CORRECTION, reason)
        return
    village = assessment.moved_village
    reason = _("moved from %(old)s to %(address)s, %(village)s.") % {
        "old": household.address, "address": assessment.moved_address, "village": village.name.title()}
    household_update(household=household, changed_by=decree.head, kk_number=household.kk_number,
                     address=assessment.moved_address, rt="", rw="", village=village)
    assessment.household.refresh_from_db()
    if assessment.is_scored:
        _classify(decree, assessment, was=was, extra=" " + reason)
    else:
        _status(decree, assessment, was, _("Verivali %(batch)s: %(reason)s") % {
            "batch": decree.batch.name, "reason": reason})
    if _known_nationally(household, was):
        _propose(decree, assessment, NationalProposal.Kind.CORRECTION, reason)


def _split(decree: Decree, assessment: Assessment, was: str) -> None:
    household = assessment.household
    for split in assessment.splits.select_related("head").prefetch_related("memberships__person").order_by("pk"):
        new = household_split(
            household=household, members=[m.person for m in split.memberships.all()], head=split.head,
            kk_number=split.kk_number,
            address=split.address or household.address, rt=household.rt, rw=household.rw,
            village=household.village, on=_survey_day(assessment), changed_by=decree.head,
            note=_("Verivali decree (SK) %(number)s") % {"number": decree.number},
        )
        _status(decree, assessment, RegistryStatus.IN_VERIFICATION,
                _("Split off KK %(kk)s in verivali %(batch)s: to be surveyed as a household of its own.")
                % {"kk": household.kk_number or "-", "batch": decree.batch.name}, household=new)
        split.household = new
        split.save(update_fields=["household"])
    reason = _("Split: %(n)s new households.") % {"n": assessment.splits.count()}
    if assessment.is_scored:
        _classify(decree, assessment, was=was, extra=" " + reason)
    else:
        _status(decree, assessment, was, _("Verivali %(batch)s: %(reason)s") % {
            "batch": decree.batch.name, "reason": reason})


def _duplicate(decree: Decree, assessment: Assessment, was: str) -> None:
    other = assessment.duplicate_of
    reason = _("duplicate of household KK %(kk)s (#%(pk)s); its persons are merged in the duplicate review.") % {
        "kk": other.kk_number or "-", "pk": other.pk}
    _status(decree, assessment, RegistryStatus.NOT_LISTED,
            _("Verivali %(batch)s: %(reason)s") % {"batch": decree.batch.name, "reason": reason})
    if _known_nationally(assessment.household, was):
        _propose(decree, assessment, NationalProposal.Kind.DEACTIVATION, reason)


def decree_apply(*, decree: Decree, assessment: Assessment) -> None:
    """One validated household's outcome becomes its registry record; a refusal names the household."""
    was = assessment.household.registry_status
    try:
        if assessment.outcome == Outcome.NOT_FOUND:
            _not_found(decree, assessment, was)
        elif assessment.outcome == Outcome.MOVED:
            _moved(decree, assessment, was)
        elif assessment.outcome == Outcome.SPLIT:
            _split(decree, assessment, was)
        elif assessment.outcome == Outcome.DUPLICATE:
            _duplicate(decree, assessment, was)
        else:
            _classify(decree, assessment, was=was)
    except ValidationError as error:
        raise ValidationError(
            _("Household %(household)s (%(address)s): %(error)s Nothing was approved.") % {
                "household": assessment.household, "address": assessment.household.address,
                "error": " ".join(error.messages)}
        ) from None
