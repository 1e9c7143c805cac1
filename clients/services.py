from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.images import process_image
from clients.models import (
    Complaint,
    ComplaintDeadline,
    ComplaintEvent,
    Household,
    Person,
    RegistryChange,
    RegistryStatus,
)
from clients.registry.rows import rt_rw
from clients.selectors import (
    OFFICE_WIDE_ROLES,
    SearchFilters,
    person_search_filtered,
    persons_for_user,
)
from pandu import roles
from pandu.audit import audit_record, recent_events
from pandu.identity import office_identity
from pandu.models import AuditEvent
from pandu.numbering import sequence_next
from pandu.text import is_digits
from pandu.workdays import working_days_after


@transaction.atomic
def household_set_registry_status(
    *,
    household: Household,
    status: str,
    changed_by=None,
    source: str | None = None,
    year: int | None = None,
    reason: str = "",
    reference: str = "",
) -> Household:
    """Change a household's registry status and keep the history of what it was and why."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    new_source = household.registry_source if source is None else source
    new_year = household.registry_year if year is None and source is None else year
    RegistryChange.objects.create(
        household=household,
        from_status=household.registry_status,
        to_status=status,
        source=new_source,
        year=new_year,
        reason=reason[:255],
        reference=reference[:120],
        changed_by=changed_by,
    )
    household.registry_status = status
    household.registry_source = new_source
    household.registry_year = new_year
    household.save(update_fields=["registry_status", "registry_source", "registry_year", "updated_at"])
    return household


# --- Registering households and persons --------------------------------------------------------


def normalise_rt_rw(value: str) -> str:
    """RT/RW as the registry writes them, by the import's own rule (``rows.rt_rw``): 3 digits
    (`4`, `04` and `004` are the same RT), empty when not given."""
    normalised = rt_rw(" ".join((value or "").split()))
    if normalised is None:
        raise ValidationError(_("RT and RW are numbers of one to three digits, e.g. 004."))
    return normalised


HOUSEHOLD_FIELDS = ("kk_number", "address", "rt", "rw", "village")
PERSON_FIELDS = (
    "nik", "no_nik_reason", "full_name", "sex", "birth_place", "birth_date", "relationship", "education",
    "occupation", "disability", "disability_kinds", "disability_severity", "disability_to_review", "chronic_illness",
    "phone", "life_status",
)


def _check_kk_free(kk_number: str | None, *, exclude_pk=None) -> None:
    if kk_number and Household.objects.filter(kk_number=kk_number).exclude(pk=exclude_pk).exists():
        raise ValidationError({"kk_number": _("A household with this KK number is already registered.")})


def _check_nik_free(nik: str | None, *, exclude_pk=None) -> None:
    if nik and Person.objects.filter(nik=nik).exclude(pk=exclude_pk).exists():
        raise ValidationError({"nik": _("A person with this NIK is already registered.")})


@transaction.atomic
def household_register(
    *, kk_number: str | None, address: str, rt: str = "", rw: str = "", village, created_by=None, request=None
) -> Household:
    """A new household; a KK number already registered is refused."""
    kk_number = kk_number or None
    _check_kk_free(kk_number)
    household = Household.objects.create(
        kk_number=kk_number, address=address.strip(), rt=normalise_rt_rw(rt), rw=normalise_rt_rw(rw),
        village=village, created_by=created_by,
    )
    audit_record(user=created_by, action=AuditEvent.Action.CHANGE, obj=household,
                 summary=f"registered household {household}", request=request)
    return household


@transaction.atomic
def household_update(*, household: Household, changed_by, request=None, **fields) -> Household:
    household = Household.objects.select_for_update().get(pk=household.pk)
    fields["kk_number"] = fields.get("kk_number") or None
    fields["rt"] = normalise_rt_rw(fields.get("rt", ""))
    fields["rw"] = normalise_rt_rw(fields.get("rw", ""))
    _check_kk_free(fields["kk_number"], exclude_pk=household.pk)
    changed = _assign(household, fields, HOUSEHOLD_FIELDS)
    household.save()
    audit_record(user=changed_by, action=AuditEvent.Action.CHANGE, obj=household,
                 summary=f"changed household {household}", detail={"fields": changed}, request=request)
    return household


def _assign(obj: models.Model, fields: dict, allowed: tuple[str, ...]) -> list[str]:
    changed = []
    for name in allowed:
        if name in fields and getattr(obj, name) != fields[name]:
            setattr(obj, name, fields[name])
            changed.append(name)
    return changed


def _person_values(fields: dict) -> dict:
    values = {name: fields[name] for name in PERSON_FIELDS if name in fields}
    if "disability_kinds" in values:
        # Kinds chosen settle the review of a disability written in words only.
        values["disability_kinds"] = list(dict.fromkeys(values["disability_kinds"] or []))
        values["disability_to_review"] = False
        if not values["disability_kinds"] and values.get("disability_severity"):
            raise ValidationError({"disability_kinds": _("A severity is for a disability: tick its kind.")})
    values["nik"] = values.get("nik") or None
    if values["nik"]:
        values["no_nik_reason"] = ""
    elif not (values.get("no_nik_reason") or "").strip():
        raise ValidationError({"no_nik_reason": _("A person without NIK needs the reason (for example: newborn).")})
    return values


@transaction.atomic
def person_register(*, household: Household | None, created_by=None, pmks_categories=(), request=None,
                    **fields) -> Person:
    """A new person in a household; a NIK already registered is refused."""
    values = _person_values(fields)
    _check_nik_free(values["nik"])
    person = Person.objects.create(household=household, created_by=created_by, **values)
    person.pmks_categories.set(pmks_categories)
    audit_record(user=created_by, action=AuditEvent.Action.CHANGE, obj=person,
                 summary=f"registered person {person.pk}", request=request)
    return person


def _check_not_anonymised(person: Person) -> None:
    if person.is_anonymised:
        raise ValidationError(_("This person was anonymised: the record can no longer be changed."))


def _person_state(person: Person) -> dict:
    """The editable fields and PMKS codes as JSON values, to compare before and after."""
    state = {name: getattr(person, name) for name in PERSON_FIELDS}
    if state["birth_date"] is not None:
        state["birth_date"] = state["birth_date"].isoformat()
    state["pmks_categories"] = sorted(person.pmks_categories.values_list("code", flat=True))
    return state


def _person_save(*, person: Person, changed_by, pmks_categories, request, fields: dict,
                 reason: str = "") -> Person:
    """Edit or correction: one path. A correction also keeps each changed value before and after
    in its audit event; an ordinary edit names the changed fields only (data minimisation)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_not_anonymised(person)
    values = _person_values(fields)
    _check_nik_free(values["nik"], exclude_pk=person.pk)
    before = _person_state(person) if reason else None
    changed = _assign(person, values, PERSON_FIELDS)
    person.save()
    if pmks_categories is not None:
        had = set(person.pmks_categories.values_list("pk", flat=True))
        person.pmks_categories.set(pmks_categories)
        if had != {c.pk for c in pmks_categories}:
            changed.append("pmks_categories")
    if not reason:
        audit_record(user=changed_by, action=AuditEvent.Action.CHANGE, obj=person,
                     summary=f"changed person {person.pk}", detail={"fields": changed}, request=request)
        return person
    if not changed:
        raise ValidationError(_("Nothing was changed: correct at least one field, or cancel."))
    after = _person_state(person)
    audit_record(
        user=changed_by, action=AuditEvent.Action.CORRECT, obj=person,
        summary=f"corrected person {person.pk} on request", request=request,
        detail={"fields": changed, "reason": reason,
                "changes": {name: [before[name], after[name]] for name in changed}},
    )
    return person


@transaction.atomic
def person_update(*, person: Person, changed_by, pmks_categories=None, request=None, **fields) -> Person:
    return _person_save(person=person, changed_by=changed_by, pmks_categories=pmks_categories,
                        request=request, fields=fields)


@transaction.atomic
def person_correct(*, person: Person, changed_by, reason: str, pmks_categories=None, request=None,
                   **fields) -> Person:
    """A correction the person asked for (UU 27/2022 art. 6). The reason is mandatory; the audit
    event keeps it with every changed value before and after, the evidence of the correction."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the data is corrected (for example: the KTP shows another spelling).")})
    return _person_save(person=person, changed_by=changed_by, pmks_categories=pmks_categories,
                        request=request, fields=fields, reason=reason)


def _store_photo(obj: models.Model, upload, image_field: str, thumb_field: str) -> None:
    processed = process_image(upload)
    # The names before saving: a FieldFile is renamed in place by save().
    replaced = [getattr(obj, name).name for name in (image_field, thumb_field) if getattr(obj, name)]
    getattr(obj, image_field).save(processed.image.name, processed.image, save=False)
    getattr(obj, thumb_field).save(processed.thumbnail.name, processed.thumbnail, save=False)
    obj.save(update_fields=[image_field, thumb_field, "updated_at"])
    storage = getattr(obj, image_field).storage
    transaction.on_commit(lambda: [storage.delete(name) for name in replaced])


@transaction.atomic
def person_set_photo(*, person: Person, upload, changed_by, request=None) -> Person:
    """Store the person's photo (verified, re-encoded without EXIF, with a thumbnail)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_not_anonymised(person)
    _store_photo(person, upload, "photo", "photo_thumb")
    audit_record(user=changed_by, action=AuditEvent.Action.CHANGE, obj=person, summary="photo", request=request)
    return person


@transaction.atomic
def household_set_photo(*, household: Household, upload, changed_by, request=None) -> Household:
    """Store the house photo (verified, re-encoded without EXIF, with a thumbnail)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    _store_photo(household, upload, "house_photo", "house_photo_thumb")
    audit_record(user=changed_by, action=AuditEvent.Action.CHANGE, obj=household, summary="house photo",
                 request=request)
    return household


# --- Searching the registry ----------------------------------------------------------------


class SearchLimitReached(Exception):
    """Too many searches by one user in a short time."""

    def __init__(self):
        super().__init__(_("You searched very often in a short time. Wait a minute and search again: "
                           "searches are limited and recorded to protect the registry."))


def _query_kind(query: str) -> str:
    text = "".join(query.split())
    if is_digits(text):
        return "number" if len(text) == 16 else "digits"
    return "name"


def person_search_recorded(*, user, query: str, filters: SearchFilters | None = None, limit: int = 20,
                           request=None) -> list[Person]:
    """A registry search by an officer: at most ``SEARCH_LIMIT_PER_MINUTE`` (and ``…_PER_HOUR``)
    per user, and each one in the audit log with the kind of query and how many were found —
    never the typed number or name. Only the persons this user may open are returned."""
    for seconds, most in ((60, settings.SEARCH_LIMIT_PER_MINUTE), (3600, settings.SEARCH_LIMIT_PER_HOUR)):
        if recent_events(user=user, action=AuditEvent.Action.SEARCH, seconds=seconds) >= most:
            raise SearchLimitReached
    found = person_search_filtered(query=query, limit=limit, filters=filters)
    if found and not roles.has_role(user, *OFFICE_WIDE_ROLES):
        allowed = set(persons_for_user(user).filter(pk__in=[p.pk for p in found]).values_list("pk", flat=True))
        found = [p for p in found if p.pk in allowed]
    filters = filters or SearchFilters()
    audit_record(
        user=user, action=AuditEvent.Action.SEARCH, summary=f"search by {_query_kind(query)}: {len(found)} found",
        detail={"kind": _query_kind(query), "results": len(found),
                "kecamatan": getattr(filters.kecamatan, "code", ""), "village": getattr(filters.village, "code", ""),
                "registry_status": filters.registry_status},
        request=request,
    )  # fmt: skip
    return found


# --- Complaints (pengaduan) ---------------------------------------------------------------------


def search_names_prune() -> tuple[int, int]:
    """Forget the search names nobody holds any more (a person renamed, merged, anonymised or
    removed) and the words no name holds: a search ranks every name holding a typed word, so
    names of nobody cost every search that meets them. Returns (names, words) removed."""
    with transaction.atomic(), connection.cursor() as cursor:
        # A person written meanwhile adds their name only when it is missing: hold the writes
        # back (a second or so at night) so no name is removed under a person just saved.
        cursor.execute("LOCK TABLE clients_person IN SHARE MODE")
        cursor.execute(
            "DELETE FROM clients_searchname n"
            " WHERE NOT EXISTS (SELECT 1 FROM clients_person p WHERE p.name_key = n.key)"
        )
        names = cursor.rowcount
        cursor.execute(
            "DELETE FROM clients_searchword w"
            " WHERE NOT EXISTS (SELECT 1 FROM clients_searchname n WHERE n.words @> ARRAY[w.word])"
        )
        return names, cursor.rowcount


def complaint_due_on(*, kind: str, received_on: datetime.date | None = None) -> datetime.date:
    """The day a complaint of this kind received that day is due: the kind's working days
    (``ComplaintDeadline``, edited in the admin; ``pandu.workdays``) after it."""
    received_on = received_on or timezone.localdate()
    return working_days_after(received_on, ComplaintDeadline.days_for(kind))


def _complaint_event(complaint: Complaint, *, from_status: str, by, note: str = "") -> None:
    ComplaintEvent.objects.create(complaint=complaint, from_status=from_status, to_status=complaint.status,
                                  by=by, note=note[:255])


@transaction.atomic
def complaint_file(*, kind: str, description: str, received_by, household: Household | None = None,
                   person: Person | None = None, complainant_name: str = "", complainant_phone: str = "",
                   ticket=None, case=None) -> Complaint:
    """Record a complaint, due after its kind's days. "Not in the database" puts the household in
    verification, which queues it for verivali, with the complaint number as the reference.
    ``ticket`` (a desks.Ticket) and ``case`` (a referrals.Case) are the visit and the case it came
    from, found for the officer through ``clients.hooks.complaint_origins``."""
    if person is not None and household is None:
        household = person.household
    if kind == Complaint.Kind.NOT_IN_DATABASE and household is None:
        raise ValidationError(_("Choose the household that is not in the database (register it first)."))
    today = timezone.localdate()
    number = office_identity().complaint_number(seq=sequence_next(name="complaint", period=str(today.year)), day=today)
    complaint = Complaint.objects.create(
        number=number, kind=kind, description=description.strip(), household=household, person=person,
        complainant_name=complainant_name.strip(), complainant_phone=complainant_phone.strip(),
        received_by=received_by, due_on=complaint_due_on(kind=kind, received_on=today), ticket=ticket, case=case,
    )
    _complaint_event(complaint, from_status="", by=received_by)
    if kind == Complaint.Kind.NOT_IN_DATABASE and household.registry_status == RegistryStatus.NOT_LISTED:
        household_set_registry_status(
            household=household, status=RegistryStatus.IN_VERIFICATION, changed_by=received_by, source="",
            reason=_("Complaint: poor but not in the database"), reference=number,
        )
    return complaint


@transaction.atomic
def complaint_set_status(*, complaint: Complaint, status: str, resolution: str = "", officer,
                         note: str = "") -> Complaint:
    """Move a complaint on; resolving or rejecting needs the resolution written down. Every change
    is in the complaint's history (``note``: what the system adds, such as the decree)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.is_closed:
        raise ValidationError(_("This complaint is already closed."))
    closing = status in Complaint.CLOSED_STATUSES
    if closing and not resolution.strip():
        raise ValidationError({"resolution": _("Write what was done (or why it is rejected).")})
    from_status = complaint.status
    complaint.status = status
    if resolution.strip():
        complaint.resolution = resolution.strip()
    if closing:
        complaint.resolved_by, complaint.resolved_at = officer, timezone.now()
    complaint.save()
    _complaint_event(complaint, from_status=from_status, by=officer, note=note)
    return complaint


@transaction.atomic
def complaints_settle_by_decree(*, households: list[Household], decree_number: str,
                                decree_date: datetime.date, officer) -> list[Complaint]:
    """A verivali decree settled these households' registry status: their open complaints of the
    kinds a decree settles (``ComplaintDeadline.settled_by_decree``; by default "not in the
    database") are resolved with a note naming the decree and the status it gave. Called by
    ``verivali.services.batch_approve`` in the decree's transaction."""
    kinds = ComplaintDeadline.kinds_settled_by_decree()
    if not households or not kinds:
        return []
    open_complaints = (
        Complaint.objects.select_for_update()
        .filter(household__in=households, kind__in=kinds, status__in=Complaint.OPEN_STATUSES)
        .select_related("household")
        .order_by("pk")
    )
    settled = []
    for complaint in open_complaints:
        note = _("Settled by decree (SK) %(number)s of %(date)s: the household is now %(status)s.") % {
            "number": decree_number, "date": decree_date.strftime("%d-%m-%Y"),
            "status": complaint.household.get_registry_status_display().lower(),
        }
        settled.append(complaint_set_status(complaint=complaint, status=Complaint.Status.RESOLVED,
                                            resolution=note, officer=officer, note=note))
    return settled
