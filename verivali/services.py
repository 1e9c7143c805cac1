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

from clients.images import ProcessedImage
from clients.models import Household, Person, Region, RegistryStatus
from clients.services import (
    complaints_settle_by_decree,
    household_register,
    household_set_registry_status,
    person_register,
)
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
from verivali.outcomes import (
    Decree,
    MemberDetails,
    OutcomeReport,
    decree_apply,
    member_details_store,
    member_findings_store,
    members_apply,
    needs_photo,
    outcome_check_ready,
    outcome_store,
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


# The paper's scorecard leaves three answers out (docs/verivali.md): the answer that closes each
# gap, by indicator code: (option, the paper's words, the words that close the gap).
PAPER_GAPS = {
    "S02": ("option_1", "buruh (labourer)", "tidak bekerja/buruh (no job or labourer)"),
    "S04": ("option_1", "> 3 orang (more than 3)", "≥ 3 orang (3 or more)"),
    "S05": ("option_3", "Rp 1-1.5 juta", "Rp 1-5 juta"),
}


@transaction.atomic
def version_fill_paper_gaps(*, version: ScorecardVersion) -> ScorecardVersion | None:
    """A copy of ``version`` with the paper's gaps answered, made current; None when the version
    does not have the paper's words (a district's own scorecard, or the gaps already closed)."""
    indicators = {i.code: i for i in version.indicators.all()}
    if any(
        code not in indicators or getattr(indicators[code], option) != paper
        for code, (option, paper, _closed) in PAPER_GAPS.items()
    ):
        return None
    copy = version_copy(version=version)
    for code, (option, _paper, closed) in PAPER_GAPS.items():
        copy.indicators.filter(code=code).update(**{option: closed})
    copy.notes = _(
        "Version %(number)s with the paper's gaps answered: S02 a head with no job, S04 exactly 3 "
        "members sick or disabled, S05 assets of Rp 1.5–5 million."
    ) % {"number": version.number}
    copy.save(update_fields=["notes", "updated_at"])
    return version_make_current(version=copy)


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


def _batch_for_surveyor(batch: Batch, surveyor) -> Batch:
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    _ensure_not_approved(batch)
    if not batch.assessments.filter(surveyor=surveyor).exists():
        raise ValidationError(_("You have no assignment in this batch."), code="not_yours")
    return batch


@transaction.atomic
def field_household_propose(
    *,
    batch: Batch,
    surveyor,
    kk_number: str | None,
    address: str,
    village: Region,
    members: list[Mapping],
    rt: str = "",
    rw: str = "",
) -> Assessment:
    """A poor household nobody listed, found by a surveyor of the batch: registered *in
    verification* with its members (NIK when known) and assigned to the surveyor, who surveys it
    like any other. The decree lists it by its class and proposes it to the national registry."""
    batch = _batch_for_surveyor(batch, surveyor)
    if not selectors.batch_villages(batch).filter(pk=village.pk).exists():
        raise ValidationError({"village": _("Choose a village of this batch's area.")})
    heads = [m for m in members if m["relationship"] == Person.Relationship.HEAD]
    if len(heads) != 1:
        raise ValidationError(_("Enter the members with exactly one head of household."))
    household = household_register(
        kk_number=kk_number, address=address, rt=rt, rw=rw, village=village, created_by=surveyor
    )
    for member in members:
        person_register(
            household=household,
            created_by=surveyor,
            full_name=member["full_name"].strip(),
            sex=member["sex"],
            birth_date=member.get("birth_date"),
            relationship=member["relationship"],
            nik=member.get("nik") or None,
            no_nik_reason=""
            if member.get("nik")
            else _("NIK not known at the verivali survey (%(batch)s).") % {"batch": batch.code},
        )
    household_set_registry_status(
        household=household,
        status=RegistryStatus.IN_VERIFICATION,
        changed_by=surveyor,
        reason=_("New household found in the field by verivali %(batch)s.") % {"batch": batch.name},
        reference=batch.code,
    )
    return Assessment.objects.create(
        batch=batch,
        household=household,
        source=Assessment.Source.FIELD,
        status=Assessment.Status.ASSIGNED,
        surveyor=surveyor,
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
    outcome: OutcomeReport | None = None,
    member_details: Mapping[int, MemberDetails] | None = None,
) -> Assessment:
    """Keep what the surveyor has so far (answers by indicator code, the outcome, the members'
    findings and details); it can be finished later."""
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
    member_details = member_details or {}
    if not set(member_findings or {}) | set(member_details) <= members:
        raise ValidationError(_("That person is not a member of this household."))
    # Details first: a member moved to another KK needs the household before the finding.
    member_details_store(assessment=assessment, details=member_details)
    member_findings_store(assessment=assessment, findings=member_findings or {})
    if outcome is not None:
        outcome_store(assessment=assessment, report=outcome, member_ids=members)
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
    """Check the outcome has what it needs, score the saved answers with the assessment's version
    (always for a household found, when every question is answered for one moved or split) and
    send it to the validator."""
    assessment = _lock_open_assignment(assessment, surveyor)
    if assessment.version_id is None:
        assessment.version = selectors.current_version()
    answers = selectors.assessment_answers(assessment)
    indicators, bands = selectors.version_parts(assessment.version)
    scored = outcome_check_ready(assessment, answered=len(answers), questions=len(indicators))
    assessment.score, assessment.welfare_class = None, ""
    if scored:
        try:
            result = score_answers(indicators, answers, bands)
        except IncompleteAnswers as error:
            raise ValidationError(
                _("Answer every question before submitting. Still open: %(codes)s")
                % {"codes": ", ".join(error.missing)},
                code="incomplete",
            ) from None
        assessment.score = result.score
        assessment.welfare_class = result.welfare_class
    if needs_photo(assessment) and not assessment.photos.exists():
        raise ValidationError(
            _("Take at least one photo (house front, inside, or the family) before submitting."),
            code="no_photo",
        )
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


@transaction.atomic
def assessment_validate(*, assessment: Assessment, validator) -> Assessment:
    assessment = _lock_submitted(assessment)
    members_apply(assessment=assessment, validator=validator)
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

@transaction.atomic
def batch_approve(*, batch: Batch, head, decree_number: str, decree_date: datetime.date) -> Batch:
    """The Bupati decree: every validated household's outcome is applied to the registry (listed or
    not listed by its class; not found, moved, split, duplicate: ``outcomes.decree_apply``), and the
    open complaints the decree settles are resolved with its number and date; all or nothing."""
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
    decree = Decree(batch=batch, head=head, number=decree_number, date=decree_date)
    for assessment in validated:
        decree_apply(decree=decree, assessment=assessment)
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
    written for a newborn, nor the education, occupation, illness and disability checked."""
    return MemberCheck.objects.filter(person=person).update(
        full_name="",
        birth_date=None,
        education="",
        occupation="",
        chronic_illness="",
        disability_kinds=[],
    )


def survey_notes_forget(*, household: Household, name: str, removed_text: str) -> int:
    """A member is anonymised: surveys of the household whose notes name them lose the notes."""
    if not name:
        return 0
    return (
        Assessment.objects.filter(household=household)
        .filter(
            Q(notes__icontains=name)
            | Q(return_note__icontains=name)
            | Q(outcome_note__icontains=name)
        )
        .update(notes=removed_text, return_note="", outcome_note="", updated_at=timezone.now())
    )


def household_surveys_anonymise(*, household: Household) -> list[str]:
    """When nobody identifiable is left in the household: its surveys keep their answers, score and
    class (the statistics and the decree's basis) and lose notes, location and photos.
    Returns the stored photo files, for the caller to delete once the transaction commits."""
    Assessment.objects.filter(household=household).update(
        notes="", return_note="", outcome_note="", latitude=None, longitude=None, location_accuracy=None,
        updated_at=timezone.now(),
    )
    photos = AssessmentPhoto.objects.filter(assessment__household=household)
    files = [name for pair in photos.values_list("image", "thumbnail") for name in pair if name]
    photos.delete()
    return files
