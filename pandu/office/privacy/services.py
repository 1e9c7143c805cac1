"""Anonymising a person at their request (UU 27/2022 art. 8), where the law allows it.

What identifies the person goes; what the office's statistics count stays: sex, birth year,
relationship, life status, PMKS categories, the household's village and registry status, and
every visit, referral, outcome and survey score, each without its free texts. The rules and
their reasons are in docs/security.md.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Complaint, Household, Person, SearchName, SearchWord
from desks.services import visit_notes_erase
from pandu.audit import audit_record
from pandu.files import private_storage
from pandu.models import AuditEvent
from pandu.office.privacy.selectors import anonymisation_refusals
from referrals.services import person_referrals_anonymise
from verivali.services import household_surveys_anonymise, member_checks_anonymise

ANONYMOUS = "Anonim"
# Text fields of the person that are emptied; the name, NIK and birth are handled on their own.
CLEARED_FIELDS = ("birth_place", "education", "occupation", "disability", "chronic_illness", "phone")


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
    if household.kk_number:  # earlier audit summaries name the household by its KK number
        AuditEvent.objects.filter(
            object_type=Household._meta.label_lower, object_id=str(household.pk)
        ).update(summary=Replace("summary", Value(household.kk_number), Value(f"#{household.pk}")))
    household.kk_number = None
    household.address = ANONYMOUS
    household.rt = household.rw = ""
    household.house_photo = household.house_photo_thumb = ""
    household.save()
    _strip_complaints(Complaint.objects.filter(household=household, person__isnull=True), removed_text)
    return files + household_surveys_anonymise(household=household)


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
    old_key = person.name_key
    files = [name for name in (person.photo.name, person.photo_thumb.name) if name]
    person.full_name = anonymous_name(person)
    person.nik = None
    person.no_nik_reason = _("Anonymised")
    if person.birth_date is not None:
        person.birth_date = datetime.date(person.birth_date.year, 1, 1)
    for name in CLEARED_FIELDS:
        setattr(person, name, "")
    person.photo = person.photo_thumb = ""
    person.anonymised_at = timezone.now()
    person.anonymised_by = anonymised_by
    person.anonymisation_reason = reason
    person.save()
    _forget_search_name(old_key)
    _strip_complaints(Complaint.objects.filter(person=person), removed_text)
    visit_notes_erase(person=person)
    member_checks_anonymise(person=person)
    files += person_referrals_anonymise(person=person, removed_text=removed_text)
    household = person.household
    household_too = household is not None and not household.members.filter(anonymised_at__isnull=True).exists()
    if household_too:
        files += _household_anonymise(household, removed_text)
    _redact_corrections(person, removed_text)
    audit_record(
        user=anonymised_by, action=AuditEvent.Action.ANONYMISE, obj=person, request=request,
        summary=f"anonymised person {person.pk}",
        detail={"reason": reason, "household_anonymised": household_too, "files_deleted": len(files)},
    )
    transaction.on_commit(lambda: [private_storage.delete(name) for name in files])
    return person
