"""Anonymising a person at their request (UU 27/2022 art. 8), where the law allows it.

What identifies the person goes, and so does what could single them out again beside their
family: the household link (in their household history and proposals to the national registry
too), the relationship, the birth date, the PMKS categories, their former names and NIKs, the
admin's log entries with their name, complaints they filed, notes and reasons naming them, and
registry import artefacts that hold their row. What stays is an anonymous row (sex and life status) on which
every visit, referral, outcome and survey score still counts, each without its free texts. The
rules and their reasons are in docs/security.md.
"""

from __future__ import annotations

import io
import json
import zipfile

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.changes import person_changes_forget
from clients.duplicates.merging import person_merges_forget
from clients.models import (
    Complaint,
    Household,
    ImportJob,
    MemberChange,
    NationalProposal,
    Person,
    SearchName,
    SearchWord,
)
from clients.programmes import participations_anonymise
from desks.services import visit_notes_erase
from pandu.audit import audit_record
from pandu.files import private_storage
from pandu.models import AuditEvent
from pandu.office.privacy.selectors import anonymisation_refusals
from referrals.services import person_referrals_anonymise
from verivali.services import (
    household_surveys_anonymise,
    member_checks_anonymise,
    survey_notes_forget,
)

ANONYMOUS = "Anonim"
# Text fields of the person that are emptied; the name, NIK and birth are handled on their own.
CLEARED_FIELDS = ("birth_place", "education", "occupation", "disability", "disability_severity", "chronic_illness",
                  "phone")


def anonymous_name(person: Person) -> str:
    return f"{ANONYMOUS} #{person.pk}"


def _forget_search_name(key: str) -> None:
    """The old name must not be found again: its search key goes unless another person has it,
    and so do its words that no other name holds (a rare word alone can point at a family).
    (The person's own name_key follows full_name: a database trigger sets it.)"""
    deleted, _ = SearchName.objects.filter(key=key).filter(
        ~Exists(Person.objects.filter(name_key=OuterRef("key")))
    ).delete()
    if deleted:
        SearchWord.objects.filter(word__in=key.split()).exclude(
            Exists(SearchName.objects.filter(words__contains=[OuterRef("word")]))
        ).delete()


def _strip_complaints(complaints, removed_text: str) -> None:
    complaints.update(complainant_name="", complainant_phone="", description=removed_text,
                      updated_at=timezone.now())
    complaints.exclude(resolution="").update(resolution=removed_text)


def _household_anonymise(household: Household, removed_text: str) -> list[str]:
    """The last identifiable member is gone: the household keeps its village and registry status
    (and its surveys their scores) and loses its KK number, address, photos and texts."""

    household = Household.objects.select_for_update().get(pk=household.pk)
    files = [name for name in (household.house_photo.name, household.house_photo_thumb.name) if name]
    kk = household.kk_number
    if kk:  # earlier audit summaries, proposals' reasons and member-history notes name it by its KK number
        for rows, field in (
            (AuditEvent.objects.filter(object_type=Household._meta.label_lower, object_id=str(household.pk)), "summary"),
            (NationalProposal.objects.filter(reason__contains=kk), "reason"),
            (MemberChange.objects.filter(note__contains=kk), "note"),
        ):
            rows.update(**{field: Replace(field, Value(kk), Value(f"#{household.pk}"))})
    household.kk_number = None
    household.address = ANONYMOUS
    household.rt = household.rw = ""
    household.house_photo = household.house_photo_thumb = ""
    household.save()
    _strip_complaints(Complaint.objects.filter(household=household, person__isnull=True), removed_text)
    return files + household_surveys_anonymise(household=household)


def _scrub_admin_log(obj, label: str) -> None:
    """The Django admin's history names the record as it was ("Siti Aminah"): only the new label
    stays, the change messages (which list changed fields' values) go."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).update(object_repr=label[:200], change_message="[]")


def _mentions(text_or_bytes, needles: list[str]) -> bool:
    haystack = text_or_bytes if isinstance(text_or_bytes, str) else text_or_bytes.decode("utf-8", "ignore")
    haystack = haystack.casefold()
    return any(needle.casefold() in haystack for needle in needles)


def _stored_text(fieldfile) -> str:
    """A registry file's text to look into: a CSV as it is, an XLSX's XML parts."""
    try:
        with fieldfile.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    if fieldfile.name.lower().endswith(".xlsx"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                return "".join(book.read(name).decode("utf-8", "ignore") for name in book.namelist()
                               if name.endswith(".xml"))
        except zipfile.BadZipFile:
            return ""
    return data.decode("utf-8", "ignore")


def _import_artefacts_forget(needles: list[str]) -> list[str]:
    """Registry import jobs that are over keep their counts; the uploaded file, the error report
    and the preview rows that hold the person's row go. Returns the files to delete."""
    files = []
    for job in ImportJob.objects.exclude(status__in=ImportJob.ACTIVE).select_for_update():
        changed = []
        for field in ("file", "error_report"):
            fieldfile = getattr(job, field)
            if fieldfile and _mentions(_stored_text(fieldfile), needles):
                files.append(fieldfile.name)
                setattr(job, field, "")
                changed.append(field)
        if job.preview_rejected and _mentions(json.dumps(job.preview_rejected, ensure_ascii=False), needles):
            job.preview_rejected = []
            changed.append("preview_rejected")
        if changed:
            job.save(update_fields=[*changed, "updated_at"])
    return files


def _redact_corrections(person: Person, removed_text: str) -> None:
    """Corrections kept the values before and after, and a reason that often quotes them: both
    go; which fields were corrected, by whom and when stays."""
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.CORRECT, object_type=Person._meta.label_lower, object_id=str(person.pk)
    )
    for event in events:
        detail = {key: value for key, value in event.detail.items() if key != "changes"}
        AuditEvent.objects.filter(pk=event.pk).update(detail={**detail, "reason": removed_text})


@transaction.atomic
def person_anonymise(*, person: Person, anonymised_by, reason: str, request=None) -> Person:
    """Replace what identifies the person with neutral values, delete their photos and scanned
    documents, keep the rows the statistics count. Refused, with nothing changed, where
    ``anonymisation_refusals`` gives a reason; an anonymised person cannot be anonymised again."""

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write the person's request and the legal basis for anonymising.")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    refusals = anonymisation_refusals(person)
    if refusals:
        raise ValidationError(refusals)
    removed_text = _("[removed: the person was anonymised]")
    old_key, old_name, old_nik = person.name_key, person.full_name, person.nik
    needles = [text for text in (old_name, old_nik) if text and len(text) >= 4]
    household = person.household
    household_too = household is not None and not household.members.exclude(pk=person.pk).filter(
        anonymised_at__isnull=True).exists()
    files = [name for name in (person.photo.name, person.photo_thumb.name) if name]
    person.full_name = anonymous_name(person)
    person.nik = None
    person.no_nik_reason = _("Anonymised")
    person.birth_date = None
    person.household = None
    person.relationship = Person.Relationship.OTHER
    for name in CLEARED_FIELDS:
        setattr(person, name, "")
    person.disability_kinds, person.disability_to_review = [], False
    person.photo = person.photo_thumb = ""
    person.anonymised_at = timezone.now()
    person.anonymised_by = anonymised_by
    person.anonymisation_reason = reason
    person.save()
    person.pmks_categories.clear()
    _forget_search_name(old_key)
    _strip_complaints(Complaint.objects.filter(person=person), removed_text)
    _strip_complaints(Complaint.objects.filter(complainant_name__iexact=old_name), removed_text)
    visit_notes_erase(person=person)
    files += person_merges_forget(person=person)
    person_changes_forget(person=person, needles=needles, removed_text=removed_text)
    participations_anonymise(person=person, household=household, needles=needles, removed_text=removed_text)
    member_checks_anonymise(person=person)
    if household is not None:
        survey_notes_forget(household=household, name=old_name, removed_text=removed_text)
    files += person_referrals_anonymise(person=person, removed_text=removed_text)
    if household_too:
        files += _household_anonymise(household, removed_text)
        _scrub_admin_log(household, f"#{household.pk}")
    _scrub_admin_log(person, person.full_name)
    files += _import_artefacts_forget(needles)
    _redact_corrections(person, removed_text)
    audit_record(
        user=anonymised_by, action=AuditEvent.Action.ANONYMISE, obj=person, request=request,
        summary=f"anonymised person {person.pk}",
        detail={"reason": reason, "household_anonymised": household_too, "files_deleted": len(files)},
    )
    transaction.on_commit(lambda: [private_storage.delete(name) for name in files])
    return person
