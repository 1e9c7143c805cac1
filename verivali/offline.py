"""The surveyors' offline app: what a phone downloads, and what it sends back.

The phone (``static/verivali/offline-*.js``) downloads the surveyor's open assignments with
:func:`offline_assignments`, works without a connection, and later sends each survey and each
photo under a UUID it made. :func:`survey_receive` and :func:`photo_receive` store the UUID with
their answer (``OfflineSend``), so a repeated send gets the same answer and changes nothing.

Every assignment carries its server version (``assessment_version``). A send names the version
the phone's copy is based on; when the server's copy changed since (the validator returned it,
another device sent it), the send is refused with :class:`SurveyConflict`, which carries the
server's copy for the surveyor to compare; nothing is overwritten.

The survey a phone sends is one JSON object handed whole to :func:`survey_receive`; a new part of
the survey is one more key read in :func:`survey_payload_parse` and stored there. The household's
outcome (moved, split, duplicate…), the members' details (moved to another KK, the registry facts
checked) are not checked here a second time: they are put in the online survey form's fields and
cleaned by that form (``verivali.forms.SurveyForm``), then stored by the same service.
"""

from __future__ import annotations

import datetime
import uuid as uuid_lib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from clients.images import ProcessedImage
from clients.models import DisabilityKind, Person
from pandu.http import parse_id, without_control_characters
from verivali import selectors, services
from verivali.forms import (
    MEMBER_FINDINGS,
    SPLITS,
    FieldHouseholdForm,
    FieldMemberFormSet,
    SurveyForm,
    berau_villages,
    village_label,
)
from verivali.models import (
    Assessment,
    AssessmentPhoto,
    Batch,
    MemberCheck,
    OfflineSend,
    ScorecardVersion,
)
from verivali.outcomes import MemberDetails, OutcomeReport
from verivali.prefill import prefilled_answers

# What the surveyor may find about a listed member, as on the online form (a newborn is a list
# of its own).
FINDINGS = tuple(value for value, _label in MEMBER_FINDINGS)
# The survey form's fields that belong to one member (``<prefix><person id>``).
MEMBER_FIELDS = ("m_", "mkk_", "mrel_", "mon_", "ill_", "dis_", "split_to_")
MAX_NEWBORNS = 10
MAX_NOTES = 5000


class SurveyConflict(Exception):
    """The server's copy changed since the phone downloaded it; ``server`` is that copy."""

    def __init__(self, server: dict):
        super().__init__("conflict")
        self.server = server


# --- reads --------------------------------------------------------------------------------


def assessment_version(assessment: Assessment) -> str:
    """The server version of an assignment: every change of the assessment moves ``updated_at``."""
    return assessment.updated_at.astimezone(datetime.UTC).isoformat()


def _scorecard(version: ScorecardVersion) -> dict:
    indicators, _bands = selectors.version_parts(version)
    return {
        "number": version.number,
        "name": version.name,
        "indicators": [
            {
                "code": i.code,
                "position": i.position,
                "group": i.group,
                "text": i.text,
                "options": [[value, text] for value, text in i.options],
            }
            for i in indicators
        ],
    }


def _outcome_copy(assessment: Assessment, splits: list) -> dict:
    return {
        "kind": assessment.outcome,
        "label": assessment.get_outcome_display(),
        "note": assessment.outcome_note,
        "moved_village": assessment.moved_village_id,
        "moved_address": assessment.moved_address,
        "moved_outside_place": assessment.moved_outside_place,
        "duplicate_kk": (assessment.duplicate_of.kk_number or "") if assessment.duplicate_of else "",
        "splits": [
            {"kk": split.kk_number, "head": split.head_id, "address": split.address} for split in splits
        ],
    }


def _details_copy(members: list, checks: list, facts: dict, splits: list) -> dict:
    """Per member what the survey form shows beyond the finding: where they moved to and when,
    the new household of a split they leave into, the registry facts (or the surveyor's check)."""
    by_person = {c.person_id: c for c in checks if c.person_id is not None}
    split_of = {m.person_id: str(n) for n, split in enumerate(splits, 1) for m in split.memberships.all()}
    details = {}
    for person in members:
        check, fact = by_person.get(person.pk), facts[person.pk]
        details[str(person.pk)] = {
            "kk": (check.to_household.kk_number or "") if check and check.to_household else "",
            "relationship": check.relationship if check else "",
            "on": check.on.isoformat() if check and check.on else "",
            "illness": fact.chronic_illness,
            "disability": list(fact.disability_kinds),
            "split": split_of.get(person.pk, ""),
        }
    return details


def assignment_copy(assessment: Assessment, *, version: ScorecardVersion) -> dict:
    """One assignment as the phone keeps it: the household, its members (no NIK: the survey does
    not need it), what is already saved on the server (the outcome and the members' details
    too), the answers the registry settles (``prefilled``, as the online form starts with them)
    and the server version."""
    household = assessment.household
    checks = list(assessment.member_checks.all())
    members = list(household.members.all())
    facts = selectors.member_facts(assessment, members)
    splits = list(assessment.splits.all())
    head = next((m for m in members if m.relationship == Person.Relationship.HEAD), None)
    indicators, _bands = selectors.version_parts(version)
    answers = {answer.indicator.code: answer.value for answer in assessment.answers.all()}
    location = None
    if assessment.latitude is not None and assessment.longitude is not None:
        location = {
            "latitude": float(assessment.latitude),
            "longitude": float(assessment.longitude),
            "accuracy": assessment.location_accuracy,
        }
    return {
        "id": assessment.pk,
        "version": assessment_version(assessment),
        "status": assessment.status,
        "status_label": assessment.get_status_display(),
        "return_note": assessment.return_note,
        "batch": assessment.batch.name,
        "scorecard": version.number,
        "household": {
            "kk_number": household.kk_number or "",
            "address": household.address,
            "rt": household.rt,
            "rw": household.rw,
            "village": household.village.name.title(),
            "kecamatan": household.village.parent.name.title() if household.village.parent else "",
        },
        "members": [
            {
                "id": person.pk,
                "full_name": person.full_name,
                "relationship": person.get_relationship_display(),
                "birth_year": person.birth_date.year if person.birth_date else None,
                "life_status": person.get_life_status_display()
                if person.life_status != Person.LifeStatus.ACTIVE
                else "",
            }
            for person in members
        ],
        "answers": answers,
        "prefilled": {
            code: value
            for code, value in prefilled_answers(indicators, facts.values()).items()
            if code not in answers
        },
        "outcome": _outcome_copy(assessment, splits),
        "details": _details_copy(members, checks, facts, splits),
        "head": {"id": head.pk, "education": facts[head.pk].education, "occupation": facts[head.pk].occupation}
        if head
        else None,
        "findings": {str(c.person_id): c.finding for c in checks if c.person_id is not None},
        "newborns": [
            {
                "full_name": c.full_name,
                "sex": c.sex,
                "birth_date": c.birth_date.isoformat() if c.birth_date else "",
            }
            for c in checks
            if c.person_id is None and c.finding == MemberCheck.Finding.BORN
        ],
        "notes": assessment.notes,
        "location": location,
        "photos": sorted({photo.kind for photo in assessment.photos.all()}),
    }


def _assignments_queryset():
    return Assessment.objects.select_related(
        "batch", "household__village__parent", "version", "duplicate_of"
    ).prefetch_related(
        selectors.members_prefetch(), "answers__indicator", "member_checks__to_household", "photos",
        "splits__memberships",
    )


def offline_assignments(user) -> dict:
    """Everything the phone needs to survey the user's open assignments without a connection."""
    current = selectors.current_version()
    assignments = _assignments_queryset().filter(
        surveyor=user, status__in=Assessment.OPEN_FOR_SURVEYOR
    ).order_by("household__village__name", "household__address", "pk")
    copies, versions = [], {}
    for assessment in assignments:
        version = assessment.version or current
        version = versions.setdefault(version.number, version)  # one instance: its parts are cached
        copies.append(assignment_copy(assessment, version=version))
    versions.setdefault(current.number, current)  # a household found in the field is surveyed with it
    return {
        "downloaded_at": timezone.now().isoformat(),
        "assignments": copies,
        # where the surveyor may register a household found in the field (as online)
        "batches": [
            {"id": batch.pk, "name": batch.name,
             "villages": list(selectors.batch_villages(batch).values_list("pk", flat=True))}
            for batch in selectors.batches_of_surveyor(user)
        ],
        "scorecard": current.number,
        "scorecards": {str(n): _scorecard(v) for n, v in versions.items()},
        "choices": {
            "findings": [[value, str(label)] for value, label in MEMBER_FINDINGS],
            "sexes": [[value, str(label)] for value, label in Person.Sex.choices],
            "photos": [[value, str(label)] for value, label in AssessmentPhoto.Kind.choices],
            "outcomes": [[value, str(label)] for value, label in Assessment.Outcome.choices],
            "relationships": [[value, str(label)] for value, label in Person.Relationship.choices],
            "disabilities": [[value, str(label)] for value, label in DisabilityKind.choices],
            "splits": len(SPLITS),
            # once per download, not per household: where a household may have moved to
            "villages": [[region.pk, village_label(region)] for region in berau_villages()],
        },
    }


def server_copy(assessment: Assessment) -> dict:
    """The server's copy of an assignment, as the phone compares it with its own in a conflict."""
    assessment = _assignments_queryset().get(pk=assessment.pk)
    return assignment_copy(
        assessment, version=assessment.version or selectors.current_version()
    )


# --- what the phone sends -----------------------------------------------------------------


@dataclass
class SurveyPayload:
    answers: dict[str, int] = field(default_factory=dict)
    findings: dict[int, str] = field(default_factory=dict)
    newborns: list[dict] = field(default_factory=list)
    notes: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy: int | None = None
    submit: bool = False
    version: ScorecardVersion | None = None
    outcome: OutcomeReport | None = None
    member_details: dict[int, MemberDetails] | None = None


def _send_uuid(value) -> uuid_lib.UUID:
    try:
        return uuid_lib.UUID(str(value))
    except ValueError:
        raise ValidationError(_("The send has no valid UUID."), code="uuid") from None


def _coordinate(value, limit: int) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
        if not number.is_finite() or not -limit <= number <= limit:
            raise InvalidOperation
        return number.quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("The location is not valid."), code="location") from None


def _newborn(item) -> dict:
    if not isinstance(item, Mapping):
        raise ValidationError(_("A newborn is not valid."), code="newborn")
    name = without_control_characters(str(item.get("full_name") or "")).strip()
    sex = str(item.get("sex") or "")
    birth = str(item.get("birth_date") or "")
    if not name or len(name) > 150:
        raise ValidationError(_("Write the newborn's name (at most 150 letters)."), code="newborn")
    if sex not in Person.Sex.values:
        raise ValidationError(_("Choose the newborn's sex."), code="newborn")
    try:
        birth_date = parse_date(birth) if birth else None
    except ValueError:
        birth_date = None
    if birth and birth_date is None:
        raise ValidationError(_("The newborn's date of birth is not a date."), code="newborn")
    if birth_date and birth_date > timezone.localdate():
        raise ValidationError(_("The newborn's date of birth is in the future."), code="newborn")
    return {"full_name": name, "sex": sex, "birth_date": birth_date}


def _field_value(value, *, many: bool = False) -> str | list[str]:
    """One field of the phone's survey as the form reads it: text, an id, or (``many``) a list of
    choices."""
    if many and isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    if value is None:
        return [] if many else ""
    if isinstance(value, str) and not many:
        return value
    if type(value) is int and not many:
        return str(value)
    raise ValidationError(_("The survey sent by the phone is not complete."), code="shape")


def _mapping(value) -> Mapping:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(_("The survey sent by the phone is not complete."), code="shape")
    return value


def _outcome_form_data(data: Mapping, members: set[int]) -> dict:
    """The phone's outcome, members' details and head's facts as the online survey form's fields."""
    fields: dict = {}
    if "outcome" in data:
        outcome = _mapping(data["outcome"])
        fields["outcome"] = _field_value(outcome.get("kind"))
        for key in ("note", "moved_village", "moved_address", "moved_outside_place", "duplicate_kk"):
            fields["outcome_note" if key == "note" else key] = _field_value(outcome.get(key))
        splits = outcome.get("splits") or []
        if not isinstance(splits, list) or len(splits) > len(SPLITS):
            raise ValidationError(
                _("At most %(n)s new households in one split.") % {"n": len(SPLITS)}, code="shape"
            )
        for number, split in enumerate(splits, 1):
            split = _mapping(split)
            for key in ("kk", "head", "address"):
                fields[f"split_{number}_{key}"] = _field_value(split.get(key))
    for person_id, item in _mapping(data.get("details")).items():
        if parse_id(person_id) not in members:
            raise ValidationError(_("That person is not a member of this household."), code="member")
        item = _mapping(item)
        for key, prefix in (("kk", "mkk_"), ("relationship", "mrel_"), ("on", "mon_"), ("split", "split_to_")):
            fields[f"{prefix}{person_id}"] = _field_value(item.get(key))
        # the facts count as checked by the surveyor only when the phone showed and sent them
        if "illness" in item:
            fields[f"ill_{person_id}"] = _field_value(item["illness"])
            fields[f"dis_{person_id}"] = _field_value(item.get("disability"), many=True)
    head = data.get("head")
    if head is not None:
        head = _mapping(head)
        fields["head_education"] = _field_value(head.get("education"))
        fields["head_occupation"] = _field_value(head.get("occupation"))
    for person_id, finding in _mapping(data.get("findings")).items():
        fields[f"m_{person_id}"] = finding
    return fields


def _form_refusal(form: SurveyForm) -> ValidationError:
    """The online form's errors as one reason for the phone: each named by its field (and member)."""
    names = {member.pk: member.full_name for member in form.members}
    reasons = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        prefix = ""
        if field is not None:
            prefix = f"{field.label}: "
            if name.startswith(MEMBER_FIELDS) and parse_id(name.rsplit("_", 1)[-1]) in names:
                prefix = f"{names[parse_id(name.rsplit('_', 1)[-1])]}, {prefix}"
        reasons += [prefix + str(error) for error in errors]
    return ValidationError(reasons, code="outcome")


def _outcome_parse(data: Mapping, *, assessment: Assessment, version: ScorecardVersion):
    """(the outcome report, the members' details) the online form makes of the same answers; the
    outcome is None when the phone did not send one (nothing changes then)."""
    members = selectors.household_members(assessment.household)
    indicators, _bands = selectors.version_parts(version)
    form = SurveyForm(
        _outcome_form_data(data, {m.pk for m in members}), indicators=indicators, members=members,
        answers={}, findings={}, assessment=assessment, facts=selectors.member_facts(assessment, members),
    )
    if not form.is_valid():
        raise _form_refusal(form)
    outcome = form.outcome_report() if "outcome" in data else None
    return outcome, form.member_details() if "details" in data else None


def survey_payload_parse(data: Mapping, *, assessment: Assessment) -> SurveyPayload:
    """Check what the phone sent against the assignment; a ValidationError says what is wrong."""
    version = assessment.version
    if version is None:
        number = data.get("scorecard")
        if type(number) is int and 0 < number < 32768:
            version = ScorecardVersion.objects.filter(number=number).first()
        if version is None:
            raise ValidationError(_("The survey names no known scorecard version."), code="version")
    indicators, _bands = selectors.version_parts(version)
    codes = {i.code for i in indicators}
    answers = data.get("answers") or {}
    findings = data.get("findings") or {}
    newborns = data.get("newborns") or []
    location = data.get("location") or {}
    if not (isinstance(answers, Mapping) and isinstance(findings, Mapping)
            and isinstance(newborns, list) and isinstance(location, Mapping)):
        raise ValidationError(_("The survey sent by the phone is not complete."), code="shape")
    payload = SurveyPayload(version=version, submit=data.get("submit") is True)
    for code, value in answers.items():
        if code not in codes or type(value) is not int or not 1 <= value <= 4:
            raise ValidationError(
                _("The answer to %(code)s is not one of the scorecard's options.") % {"code": code},
                code="answer",
            )
        payload.answers[code] = value
    members = set(assessment.household.members.values_list("pk", flat=True))
    for person_id, finding in findings.items():
        if parse_id(person_id) not in members:
            raise ValidationError(_("That person is not a member of this household."), code="member")
        if finding not in FINDINGS:
            raise ValidationError(_("A member's finding is not valid."), code="member")
        payload.findings[parse_id(person_id)] = finding
    if len(newborns) > MAX_NEWBORNS:
        raise ValidationError(_("Too many newborns in one survey."), code="newborn")
    payload.newborns = [_newborn(item) for item in newborns]
    notes = data.get("notes") or ""
    if not isinstance(notes, str) or len(notes) > MAX_NOTES:
        raise ValidationError(
            _("The notes are too long (at most %(n)s characters).") % {"n": MAX_NOTES}, code="notes"
        )
    payload.notes = notes.replace("\x00", "")
    if "outcome" in data or "details" in data:
        payload.outcome, payload.member_details = _outcome_parse(data, assessment=assessment, version=version)
    payload.latitude = _coordinate(location.get("latitude"), 90)
    payload.longitude = _coordinate(location.get("longitude"), 180)
    accuracy = location.get("accuracy")
    if isinstance(accuracy, int | float) and 0 <= accuracy < 2_147_483_647:
        payload.accuracy = round(accuracy)
    return payload


def _receive(assessment: Assessment, surveyor, *, send_uuid, kind: str, base_version):
    """Lock the assignment for a send; (the assignment, the answer already given when the phone
    sends this UUID again, else None). A server copy changed since ``base_version`` raises
    :class:`SurveyConflict`."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.surveyor_id != surveyor.pk:
        raise ValidationError(
            _("This household is assigned to another surveyor."), code="not_yours"
        )
    earlier = OfflineSend.objects.filter(uuid=send_uuid).first()
    if earlier is not None:
        if (earlier.kind, earlier.assessment_id, earlier.surveyor_id) != (kind, locked.pk, surveyor.pk):
            raise ValidationError(_("This UUID was already used for another send."), code="uuid_reused")
        return locked, earlier.result
    if str(base_version or "") != assessment_version(locked):
        raise SurveyConflict(server_copy(locked))
    return locked, None


def _answer(assessment: Assessment, **extra) -> dict:
    assessment.refresh_from_db()
    return {
        "id": assessment.pk,
        "status": assessment.status,
        "status_label": assessment.get_status_display(),
        "version": assessment_version(assessment),
        **extra,
    }


@transaction.atomic
def survey_receive(*, assessment: Assessment, surveyor, data: Mapping) -> dict:
    """Store a survey sent from the phone (its answers, member checks, newborns, notes, location;
    submitted to the validator when the surveyor finished it) and answer the phone. The same UUID
    again returns the first answer; a server copy changed since the phone's base version raises
    :class:`SurveyConflict`."""
    send_uuid = _send_uuid(data.get("uuid"))
    assessment, earlier = _receive(assessment, surveyor, send_uuid=send_uuid, kind=OfflineSend.Kind.SURVEY,
                                   base_version=data.get("base_version"))
    if earlier is not None:
        return earlier
    _survey_store(assessment, surveyor, data)
    result = _answer(assessment)
    OfflineSend.objects.create(uuid=send_uuid, kind=OfflineSend.Kind.SURVEY, assessment=assessment,
                               surveyor=surveyor, result=result)
    return result


def _survey_store(assessment: Assessment, surveyor, data: Mapping) -> None:
    payload = survey_payload_parse(data, assessment=assessment)
    if assessment.version_id is None and assessment.is_open_for_surveyor:
        assessment.version = payload.version
        assessment.save(update_fields=["version"])
    services.survey_save_draft(
        assessment=assessment,
        surveyor=surveyor,
        answers=payload.answers,
        notes=payload.notes,
        latitude=payload.latitude,
        longitude=payload.longitude,
        accuracy=payload.accuracy,
        member_findings=payload.findings,
        outcome=payload.outcome,
        member_details=payload.member_details,
    )
    # the phone sends every newborn it knows each time: they replace the ones saved before
    assessment.member_checks.filter(finding=MemberCheck.Finding.BORN, person__isnull=True).delete()
    MemberCheck.objects.bulk_create(
        MemberCheck(assessment=assessment, finding=MemberCheck.Finding.BORN, **newborn)
        for newborn in payload.newborns
    )
    if payload.submit:
        services.survey_submit(assessment=assessment, surveyor=surveyor)


@transaction.atomic
def photo_receive(
    *, assessment: Assessment, surveyor, uuid, kind: str, base_version, processed: ProcessedImage
) -> dict:
    """Store one survey photo sent from the phone, under the rules of :func:`survey_receive`."""
    send_uuid = _send_uuid(uuid)
    assessment, earlier = _receive(assessment, surveyor, send_uuid=send_uuid, kind=OfflineSend.Kind.PHOTO,
                                   base_version=base_version)
    if earlier is not None:
        return earlier
    photo = services.survey_photo_add(
        assessment=assessment, surveyor=surveyor, kind=kind, processed=processed
    )
    result = _answer(assessment, photo=photo.pk, kind=kind)
    OfflineSend.objects.create(uuid=send_uuid, kind=OfflineSend.Kind.PHOTO, assessment=assessment,
                               surveyor=surveyor, result=result)
    return result


# --- a household found in the field ---------------------------------------------------------

MEMBER_KEYS = ("full_name", "nik", "relationship", "sex", "birth_date")


def _field_forms(data: Mapping, batch: Batch) -> tuple[FieldHouseholdForm, FieldMemberFormSet, list[str]]:
    """The phone's new household and members in the online page's forms (``field_household``);
    the members' keys (the phone's names for them) in the formset's order."""
    household = _mapping(data.get("household"))
    members = data.get("members") or []
    if not isinstance(members, list) or len(members) > FieldMemberFormSet.max_num:
        raise ValidationError(_("The household sent by the phone is not complete."), code="shape")
    fields = {key: _field_value(household.get(key)) for key in ("kk_number", "address", "rt", "rw", "village")}
    rows: dict = {}
    keys: list[str] = []
    for member in members:
        member = _mapping(member)
        values = {key: _field_value(member.get(key)) for key in MEMBER_KEYS}
        if not any(values.values()):
            continue  # an empty line, as the page skips it
        key = _field_value(member.get("key"))
        if not key or key in keys:
            raise ValidationError(_("The household sent by the phone is not complete."), code="shape")
        rows.update({f"members-{len(keys)}-{name}": value for name, value in values.items()})
        keys.append(key)
    management = {"members-TOTAL_FORMS": str(len(keys)), "members-INITIAL_FORMS": "0"}
    form = FieldHouseholdForm(fields, villages=selectors.batch_villages(batch))
    formset = FieldMemberFormSet({**management, **rows}, prefix="members")
    return form, formset, keys


def _field_refusal(form: FieldHouseholdForm, formset: FieldMemberFormSet) -> ValidationError:
    reasons = [f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
               for name, errors in form.errors.items() for error in errors]
    for member_form in formset.forms:
        name = member_form.data.get(member_form.add_prefix("full_name")) or "?"
        reasons += [f"{name}, {member_form.fields[field].label}: {error}" if field in member_form.fields else str(error)
                    for field, errors in member_form.errors.items() for error in errors]
    reasons += [str(error) for error in formset.non_form_errors()]
    return ValidationError(reasons or [_("The household sent by the phone is not complete.")], code="field")


def _by_person(survey: Mapping, persons: Mapping[str, int]) -> dict:
    """The phone's survey of the new household with its members named by their new ids."""
    survey = dict(survey)
    for part in ("findings", "details"):
        if part in survey:
            survey[part] = {str(persons.get(key, key)): value for key, value in _mapping(survey[part]).items()}
    return survey


@transaction.atomic
def field_household_receive(*, batch: Batch, surveyor, data: Mapping) -> dict:
    """A household found in the field, registered on the phone with its members and its survey:
    proposed as on the online page (``services.field_household_propose``, the same forms check
    it) and its survey stored as a draft of the new assignment. The answer names the new
    assignment and the members' ids by the phone's keys; the phone then sends the photos and the
    finished survey as for any assignment. The same UUID again returns the first answer."""
    send_uuid = _send_uuid(data.get("uuid"))
    batch = Batch.objects.select_for_update().get(pk=batch.pk)  # one send of a batch's households at a time
    earlier = OfflineSend.objects.filter(uuid=send_uuid).select_related("assessment").first()
    if earlier is not None:
        if (earlier.kind, earlier.surveyor_id, earlier.assessment.batch_id) != (
            OfflineSend.Kind.FIELD, surveyor.pk, batch.pk
        ):
            raise ValidationError(_("This UUID was already used for another send."), code="uuid_reused")
        return earlier.result
    form, formset, keys = _field_forms(data, batch)
    if not (form.is_valid() and formset.is_valid()):
        raise _field_refusal(form, formset)
    assessment = services.field_household_propose(
        batch=batch, surveyor=surveyor, members=formset.members(), **form.cleaned_data
    )
    # the members are registered in the order sent
    persons = dict(zip(keys, assessment.household.members.order_by("pk").values_list("pk", flat=True), strict=True))
    survey = _mapping(data.get("survey"))
    _survey_store(assessment, surveyor, {**_by_person(survey, persons), "submit": False})
    result = _answer(assessment, members=persons)
    OfflineSend.objects.create(uuid=send_uuid, kind=OfflineSend.Kind.FIELD, assessment=assessment,
                               surveyor=surveyor, result=result)
    return result
