"""Writes of the verivali app: scorecard versions, batches, assignments, surveys, validation, decree."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.changes import national_proposal_add
from clients.images import ProcessedImage
from clients.models import Household, NationalProposal, Person, Region, RegistryStatus
from clients.services import complaints_settle_by_decree, household_set_registry_status
from pandu import roles
from verivali import selectors
from verivali.models import (
    Answer,
    Assessment,
    AssessmentPhoto,
    Batch,
    ClassBand,
    Indicator,
    MemberCheck,
    ScorecardVersion,
)
from verivali.scoring import IncompleteAnswers, score_answers

# --- scorecard versions -------------------------------------------------------------------


def version_ensure_editable(version: ScorecardVersion) -> None:
    if selectors.version_is_used(version):
        raise ValidationError(
            _(
                "Scorecard version %(number)s is used by assessments and can no longer be edited. Copy it to make a new version."
            )
            % {"number": version.number},
            code="version_used",
        )


@transaction.atomic
def version_update(*, version: ScorecardVersion, **fields) -> ScorecardVersion:
    """Change a version's name or notes, only while no assessment uses it."""
    version = ScorecardVersion.objects.select_for_update().get(pk=version.pk)
    version_ensure_editable(version)
    for name, value in fields.items():
        setattr(version, name, value)
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def indicator_update(*, indicator: Indicator, **fields) -> Indicator:
    version_ensure_editable(
        ScorecardVersion.objects.select_for_update().get(pk=indicator.version_id)
    )
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.save()
    return indicator


@transaction.atomic
def band_update(*, band: ClassBand, min_score: int, max_score: int) -> ClassBand:
    version_ensure_editable(ScorecardVersion.objects.select_for_update().get(pk=band.version_id))
    band.min_score, band.max_score = min_score, max_score
    band.full_clean()
    band.save()
    return band


@transaction.atomic
def version_copy(*, version: ScorecardVersion) -> ScorecardVersion:
    """A new version (next number, not current) with the same indicators and bands, free to edit."""
    number = (ScorecardVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    copy = ScorecardVersion.objects.create(
        number=number,
        name=version.name,
        notes=_("Copy of version %(number)s.") % {"number": version.number},
        is_current=False,
    )
    Indicator.objects.bulk_create(
        Indicator(
            version=copy,
            position=i.position,
            group=i.group,
            code=i.code,
            text=i.text,
            option_1=i.option_1,
            option_2=i.option_2,
            option_3=i.option_3,
            option_4=i.option_4,
        )
        for i in version.indicators.all()
    )
    ClassBand.objects.bulk_create(
        ClassBand(
            version=copy,
            welfare_class=b.welfare_class,
            min_score=b.min_score,
            max_score=b.max_score,
        )
        for b in version.bands.all()
    )
    return copy


@transaction.atomic
def version_make_current(*, version: ScorecardVersion) -> ScorecardVersion:
    """New surveys use this version from now on; earlier assessments keep theirs."""
    if not version.bands.exists() or not version.indicators.exists():
        raise ValidationError(
            _("A version needs indicators and class bands before it can be used.")
        )
    ScorecardVersion.objects.filter(is_current=True).exclude(pk=version.pk).update(is_current=False)
    ScorecardVersion.objects.filter(pk=version.pk).update(is_current=True)
    version.refresh_from_db()
    return version


# --- batches and assignments --------------------------------------------------------------


def _ensure_not_approved(batch: Batch) -> None:
    if batch.status == Batch.Status.APPROVED:
        raise ValidationError(
            _("This batch is approved by decree and can no longer change."), code="approved"
        )


@transaction.atomic
def batch_create(
    *,
    name: str,
    code: str,
    period_start: datetime.date,
    period_end: datetime.date,
    kecamatan: Iterable[Region],
    villages: Iterable[Region] = (),
    created_by=None,
) -> Batch:
    batch = Batch(
        name=name,
        code=code,
        period_start=period_start,
        period_end=period_end,
        created_by=created_by,
    )
    batch.full_clean()
    batch.save()
    batch.kecamatan.set(list(kecamatan))
    batch.villages.set(list(villages))
    return batch


def _add_households(batch: Batch, households: Iterable[Household], source: str) -> int:
    before = batch.assessments.count()
    Assessment.objects.bulk_create(
        (Assessment(batch=batch, household=h, source=source) for h in households),
        ignore_conflicts=True,
    )
    return batch.assessments.count() - before


@transaction.atomic
def batch_add_from(*, batch: Batch, source: str) -> int:
    """Bring in the area's households in verification (complaints) or listed ones (re-verification)."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    _ensure_not_approved(batch)
    return _add_households(batch, selectors.candidate_households(batch, source=source), source)


@transaction.atomic
def batch_add_household(*, batch: Batch, household: Household) -> Assessment:
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    _ensure_not_approved(batch)
    if batch.assessments.filter(household=household).exists():
        raise ValidationError(_("This household is already in the batch."), code="duplicate")
    return Assessment.objects.create(
        batch=batch, household=household, source=Assessment.Source.MANUAL
    )


@transaction.atomic
def assignments_assign(
    *,
    batch: Batch,
    surveyor,
    village: Region | None = None,
    assessment_ids: Iterable[int] | None = None,
) -> int:
    """Give households not yet surveyed to a surveyor: a whole village, or the chosen ones."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    _ensure_not_approved(batch)
    if not roles.has_role(surveyor, roles.SURVEYOR):
        raise ValidationError(
            _("%(user)s is not a surveyor.") % {"user": surveyor.get_full_name() or surveyor}
        )
    queryset = batch.assessments.filter(
        status__in=[Assessment.Status.UNASSIGNED, Assessment.Status.ASSIGNED]
    )
    if village is not None:
        queryset = queryset.filter(household__village=village)
    if assessment_ids is not None:
        queryset = queryset.filter(pk__in=list(assessment_ids))
    count = queryset.update(
        surveyor=surveyor, status=Assessment.Status.ASSIGNED, updated_at=timezone.now()
    )
    if count == 0:
        raise ValidationError(_("No household waiting for a surveyor was chosen."), code="nothing")
    if batch.status == Batch.Status.DRAFT:
        batch.status = Batch.Status.ACTIVE
        batch.save(update_fields=["status", "updated_at"])
    return count


# --- the survey ---------------------------------------------------------------------------


def _lock_open_assignment(assessment: Assessment, surveyor) -> Assessment:
    locked = (
        Assessment.objects.select_for_update().select_related("household").get(pk=assessment.pk)
    )
    if locked.surveyor_id != surveyor.pk:
        raise ValidationError(
            _("This household is assigned to another surveyor."), code="not_yours"
        )
    if not locked.is_open_for_surveyor:
        raise ValidationError(
            _("This survey is %(status)s and can no longer be changed.")
            % {"status": locked.get_status_display()},
            code="closed",
        )
    return locked


def _remove_files_after_commit(photo: AssessmentPhoto) -> None:
    image, thumbnail = photo.image, photo.thumbnail

    def remove():
        image.delete(save=False)
        thumbnail.delete(save=False)

    transaction.on_commit(remove)


def _replace_photo(assessment: Assessment, kind: str, processed: ProcessedImage) -> AssessmentPhoto:
    old = assessment.photos.filter(kind=kind).first()
    if old is not None:
        _remove_files_after_commit(old)
        old.delete()
    return AssessmentPhoto.objects.create(
        assessment=assessment,
        kind=kind,
        image=processed.image,
        thumbnail=processed.thumbnail,
        width=processed.width,
        height=processed.height,
    )


@transaction.atomic
def survey_photo_add(
    *, assessment: Assessment, surveyor, kind: str, processed: ProcessedImage
) -> AssessmentPhoto:
    """One photo of the survey (it replaces the earlier one of its kind); nothing else changes."""
    if kind not in AssessmentPhoto.Kind.values:
        raise ValidationError(_("Unknown kind of photo."), code="kind")
    assessment = _lock_open_assignment(assessment, surveyor)
    photo = _replace_photo(assessment, kind, processed)
    if assessment.status == Assessment.Status.ASSIGNED:
        assessment.status = Assessment.Status.DRAFT
    assessment.save()
    return photo


@transaction.atomic
def survey_save_draft(
    *,
    assessment: Assessment,
    surveyor,
    answers: Mapping[str, int | None],
    notes: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    accuracy: int | None = None,
    photos: Mapping[str, ProcessedImage] | None = None,
    member_findings: Mapping[int, str] | None = None,
    newborn: Mapping | None = None,
) -> Assessment:
    """Keep what the surveyor has so far (answers by indicator code); it can be finished later."""
    assessment = _lock_open_assignment(assessment, surveyor)
    if assessment.version_id is None:
        assessment.version = selectors.current_version()
    indicators = {i.code: i for i in assessment.version.indicators.all()}
    for code, value in answers.items():
        if value is None or code not in indicators:
            continue
        Answer.objects.update_or_create(
            assessment=assessment, indicator=indicators[code], defaults={"value": value}
        )
    for kind, processed in (photos or {}).items():
        _replace_photo(assessment, kind, processed)
    members = set(assessment.household.members.values_list("pk", flat=True))
    for person_id, finding in (member_findings or {}).items():
        if person_id not in members:
            raise ValidationError(_("That person is not a member of this household."))
        MemberCheck.objects.update_or_create(
            assessment=assessment, person_id=person_id, defaults={"finding": finding}
        )
    if newborn and newborn.get("full_name"):
        MemberCheck.objects.create(
            assessment=assessment,
            finding=MemberCheck.Finding.BORN,
            full_name=newborn["full_name"],
            sex=newborn.get("sex") or "",
            birth_date=newborn.get("birth_date"),
        )
    assessment.notes = notes
    if latitude is not None and longitude is not None:
        assessment.latitude, assessment.longitude, assessment.location_accuracy = (
            latitude,
            longitude,
            accuracy,
        )
    if assessment.status == Assessment.Status.ASSIGNED:
        assessment.status = Assessment.Status.DRAFT
    assessment.save()
    return assessment


@transaction.atomic
def survey_submit(*, assessment: Assessment, surveyor) -> Assessment:
    """Score the saved answers with the assessment's version and send it to the validator."""
    assessment = _lock_open_assignment(assessment, surveyor)
    if assessment.version_id is None:
        raise ValidationError(_("Answer every question before submitting."), code="incomplete")
    indicators, bands = selectors.version_parts(assessment.version)
    try:
        result = score_answers(indicators, selectors.assessment_answers(assessment), bands)
    except IncompleteAnswers as error:
        raise ValidationError(
            _("Answer every question before submitting. Still open: %(codes)s")
            % {"codes": ", ".join(error.missing)},
            code="incomplete",
        ) from None
    if not assessment.photos.exists():
        raise ValidationError(
            _("Take at least one photo (house front, inside, or the family) before submitting."),
            code="no_photo",
        )
    assessment.score = result.score
    assessment.welfare_class = result.welfare_class
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save()
    return assessment


# --- validation ---------------------------------------------------------------------------


def _lock_submitted(assessment: Assessment) -> Assessment:
    locked = (
        Assessment.objects.select_for_update()
        .select_related("batch", "household")
        .get(pk=assessment.pk)
    )
    if locked.status != Assessment.Status.SUBMITTED:
        raise ValidationError(
            _("This survey is %(status)s, not waiting for review.")
            % {"status": locked.get_status_display()},
            code="not_submitted",
        )
    _ensure_not_approved(locked.batch)
    return locked


def _apply_member_checks(assessment: Assessment, validator) -> None:
    """What the surveyor found about the members becomes the persons' status (newborns are added)."""
    life = {
        MemberCheck.Finding.MOVED: Person.LifeStatus.MOVED,
        MemberCheck.Finding.DECEASED: Person.LifeStatus.DECEASED,
        MemberCheck.Finding.PRESENT: Person.LifeStatus.ACTIVE,
    }
    for check in assessment.member_checks.select_related("person"):
        if check.finding == MemberCheck.Finding.BORN:
            person = Person.objects.create(
                household=assessment.household,
                nik=None,
                no_nik_reason=_("Newborn found by verivali survey %(id)s; NIK not recorded yet.")
                % {"id": assessment.pk},
                full_name=check.full_name,
                sex=check.sex or Person.Sex.FEMALE,
                birth_date=check.birth_date,
                relationship=Person.Relationship.CHILD,
                created_by=validator,
            )
            check.person = person
            check.save(update_fields=["person"])
        elif check.person is not None and check.person.life_status != life[check.finding]:
            check.person.life_status = life[check.finding]
            check.person.save(update_fields=["life_status", "updated_at"])


@transaction.atomic
def assessment_validate(*, assessment: Assessment, validator) -> Assessment:
    assessment = _lock_submitted(assessment)
    _apply_member_checks(assessment, validator)
    assessment.status = Assessment.Status.VALIDATED
    assessment.validated_at = timezone.now()
    assessment.validated_by = validator
    assessment.save()
    return assessment


@transaction.atomic
def assessment_return(*, assessment: Assessment, validator, note: str) -> Assessment:
    if not note.strip():
        raise ValidationError(_("Write what the surveyor must check or fix."), code="note_required")
    assessment = _lock_submitted(assessment)
    assessment.status = Assessment.Status.RETURNED
    assessment.return_note = note.strip()
    assessment.save()
    return assessment


# --- decree -------------------------------------------------------------------------------

LISTED_CLASSES = {
    ClassBand.WelfareClass.VERY_POOR,
    ClassBand.WelfareClass.POOR,
    ClassBand.WelfareClass.NEAR_POOR,
}


def _propose_outcome(assessment: Assessment, *, was: str, head, decree_number: str, label: str) -> None:
    """What the national registry is told of a decree's outcome: a household that enters the
    list is proposed as new, one that leaves it for deactivation, one that stays listed corrected
    with its class."""
    listed = assessment.welfare_class in LISTED_CLASSES
    if listed and was != RegistryStatus.LISTED:
        kind = NationalProposal.Kind.NEW
    elif not listed and was == RegistryStatus.LISTED:
        kind = NationalProposal.Kind.DEACTIVATION
    elif listed:
        kind = NationalProposal.Kind.CORRECTION
    else:
        return  # not listed before, not listed now: nothing to tell
    national_proposal_add(
        kind=kind, cause=NationalProposal.Cause.VERIVALI, household=assessment.household, proposed_by=head,
        reason=_("Verivali decree (SK) %(number)s: %(class)s, score %(score)s.") % {
            "number": decree_number, "class": label, "score": assessment.score},
    )


@transaction.atomic
def batch_approve(*, batch: Batch, head, decree_number: str, decree_date: datetime.date) -> Batch:
    """The Bupati decree: every validated household becomes listed or not listed, and the open
    complaints the decree settles are resolved with its number and date; all or nothing."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    _ensure_not_approved(batch)
    decree_number = decree_number.strip()
    if not decree_number:
        raise ValidationError(_("Enter the decree (SK) number."), code="decree_required")
    validated = list(
        batch.assessments.select_for_update()
        .filter(status=Assessment.Status.VALIDATED)
        .select_related("household")
        .order_by("pk")
    )
    if not validated:
        raise ValidationError(
            _("No survey in this batch is validated yet: validate surveys before approving.")
        )
    labels = dict(ClassBand.WelfareClass.choices)
    for assessment in validated:
        was = assessment.household.registry_status
        household_set_registry_status(
            household=assessment.household,
            status=RegistryStatus.LISTED
            if assessment.welfare_class in LISTED_CLASSES
            else RegistryStatus.NOT_LISTED,
            changed_by=head,
            source=batch.registry_source,
            year=decree_date.year,
            reason=_("Verivali %(batch)s: %(class)s, score %(score)s")
            % {
                "batch": batch.name,
                "class": labels[assessment.welfare_class],
                "score": assessment.score,
            },
            reference=f"SK {decree_number} · {_('assessment')} {assessment.pk}",
        )
        _propose_outcome(assessment, was=was, head=head, decree_number=decree_number, label=labels[assessment.welfare_class])
    # the complaints that asked for these households to be surveyed are answered by the decree
    complaints_settle_by_decree(
        households=[assessment.household for assessment in validated],
        decree_number=decree_number,
        decree_date=decree_date,
        officer=head,
    )
    now = timezone.now()
    Assessment.objects.filter(pk__in=[a.pk for a in validated]).update(
        status=Assessment.Status.APPROVED, approved_at=now, updated_at=now
    )
    batch.status = Batch.Status.APPROVED
    batch.decree_number = decree_number
    batch.decree_date = decree_date
    batch.approved_at = now
    batch.approved_by = head
    batch.save()
    return batch


# --- anonymising a person (pandu.office.privacy) -----------------------------------------------


def member_checks_anonymise(*, person: Person) -> int:
    """The surveyor's findings about the person keep the finding, not the name or birth date
    written for a newborn."""
    return MemberCheck.objects.filter(person=person).update(full_name="", birth_date=None)


def survey_notes_forget(*, household: Household, name: str, removed_text: str) -> int:
    """A member is anonymised: surveys of the household whose notes name them lose the notes."""
    if not name:
        return 0
    return Assessment.objects.filter(household=household).filter(
        Q(notes__icontains=name) | Q(return_note__icontains=name)
    ).update(notes=removed_text, return_note="", updated_at=timezone.now())


def household_surveys_anonymise(*, household: Household) -> list[str]:
    """When nobody identifiable is left in the household: its surveys keep their answers, score and
    class (the statistics and the decree's basis) and lose notes, location and photos.
    Returns the stored photo files, for the caller to delete once the transaction commits."""
    Assessment.objects.filter(household=household).update(
        notes="", return_note="", latitude=None, longitude=None, location_accuracy=None,
        updated_at=timezone.now(),
    )
    photos = AssessmentPhoto.objects.filter(assessment__household=household)
    files = [name for pair in photos.values_list("image", "thumbnail") for name in pair if name]
    photos.delete()
    return files
