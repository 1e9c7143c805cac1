"""Household changes at the desk and the proposals they make to the national registry.

Each change — a person moved to another KK, members split off into a new household, a death, a
birth — is one service: it locks what it changes, writes the member history (``MemberChange``)
and the audit event, and adds the proposal the national registry needs (``national_proposal_add``,
collected per month and exported by the data officer, ``clients.proposals``). A death also tells
the apps above (``hooks.person_died``): referrals closes the person's open referrals and frees
their quota places.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import hooks
from clients.models import Household, MemberChange, NationalProposal, Person
from clients.services import household_register, person_register
from pandu.audit import audit_record
from pandu.models import AuditEvent
from pandu.text import mentioning


@transaction.atomic
def national_proposal_add(*, kind: str, cause: str, reason: str, household: Household | None = None,
                          person: Person | None = None, proposed_by=None,
                          at: datetime.datetime | None = None) -> NationalProposal:
    """A proposal to the national registry, collected in the month of ``at`` (office time).

    ``kind`` is ``NationalProposal.Kind`` (new, correction, deactivation), ``cause`` why
    (``NationalProposal.Cause``: death, move, split, birth, verivali, merge); ``reason`` the words
    the export carries. The household defaults to the person's."""
    if kind not in NationalProposal.Kind.values or cause not in NationalProposal.Cause.values:
        raise ValidationError(_("Unknown kind or cause of proposal."))
    if household is None and person is not None:
        household = person.household
    if household is None and person is None:
        raise ValidationError(_("A proposal is about a household or a person."))
    at = at or timezone.now()
    return NationalProposal.objects.create(
        kind=kind, cause=cause, household=household, person=person, reason=reason.strip()[:255],
        month=timezone.localdate(at).replace(day=1), proposed_at=at, proposed_by=proposed_by,
    )


def _check_changeable(person: Person) -> None:
    if person.is_anonymised:
        raise ValidationError(_("This person was anonymised: the record can no longer be changed."))
    if person.life_status == Person.LifeStatus.DECEASED:
        raise ValidationError(_("%(name)s is recorded as deceased.") % {"name": person.full_name})


def _check_date(on: datetime.date, *, person: Person | None = None) -> None:
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date is in the future.")})
    if person is not None and person.birth_date and on < person.birth_date:
        raise ValidationError({"on": _("The date is before the person's date of birth.")})


def _history(person: Person, kind: str, *, on, by, from_household=None, to_household=None, note="") -> None:
    MemberChange.objects.create(person=person, kind=kind, from_household=from_household,
                                to_household=to_household, on=on, note=note.strip()[:255], by=by)


@transaction.atomic
def person_move(*, person: Person, to_household: Household, relationship: str, on: datetime.date,
                changed_by, note: str = "", request=None) -> Person:
    """Move a person to another KK (marriage, a child joining a grandparent's card): the person
    keeps their record, visits and referrals; the household's members change."""
    person = Person.objects.select_for_update(of=("self",)).select_related("household").get(pk=person.pk)
    _check_changeable(person)
    _check_date(on, person=person)
    if person.household_id == to_household.pk:
        raise ValidationError({"kk_number": _("%(name)s is already in this household.") % {"name": person.full_name}})
    if relationship not in Person.Relationship.values:
        raise ValidationError({"relationship": _("Choose the relationship to the head of the new household.")})
    from_household = person.household
    person.household, person.relationship = to_household, relationship
    person.save(update_fields=["household", "relationship", "updated_at"])
    _history(person, MemberChange.Kind.MOVE, on=on, by=changed_by, from_household=from_household,
             to_household=to_household, note=note)
    audit_record(user=changed_by, action=AuditEvent.Action.CHANGE, obj=person,
                 summary=f"moved person {person.pk} to household {to_household.pk}",
                 detail={"from_household": from_household.pk if from_household else None,
                         "to_household": to_household.pk, "on": on.isoformat()}, request=request)
    national_proposal_add(
        kind=NationalProposal.Kind.CORRECTION, cause=NationalProposal.Cause.MOVE, person=person,
        household=to_household, proposed_by=changed_by,
        reason=_("Moved from KK %(old)s to KK %(new)s on %(on)s. %(note)s") % {
            "old": (from_household.kk_number if from_household else "") or "-", "new": to_household.kk_number or "-",
            "on": on.strftime("%d-%m-%Y"), "note": note.strip()},
    )
    return person


@transaction.atomic
def household_split(*, household: Household, members: list[Person], head: Person, kk_number: str,
                    address: str, rt: str = "", rw: str = "", village, on: datetime.date, changed_by,
                    note: str = "", request=None) -> Household:
    """Some members leave into a new household with its own KK number (a married child's new
    card): the new household is registered, ``head`` heads it, the others keep their
    relationship; the old household keeps at least one member."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    _check_date(on)
    if not kk_number:
        raise ValidationError({"kk_number": _("The new household needs its KK number.")})
    chosen = {member.pk for member in members}
    if not chosen:
        raise ValidationError({"members": _("Choose the members who leave into the new household.")})
    current = list(Person.objects.select_for_update().filter(household=household))
    leaving = [member for member in current if member.pk in chosen]
    if len(leaving) != len(chosen):
        raise ValidationError({"members": _("Choose members of this household only.")})
    if len(leaving) == len(current):
        raise ValidationError({"members": _("Everyone would leave: at least one member stays in the old household.")})
    if head.pk not in chosen:
        raise ValidationError({"head": _("The head of the new household is one of the members who leave.")})
    for member in leaving:
        _check_changeable(member)
    new = household_register(kk_number=kk_number, address=address, rt=rt, rw=rw, village=village,
                             created_by=changed_by, request=request)
    for member in leaving:
        member.household = new
        if member.pk == head.pk:
            member.relationship = Person.Relationship.HEAD
        member.save(update_fields=["household", "relationship", "updated_at"])
        _history(member, MemberChange.Kind.SPLIT, on=on, by=changed_by, from_household=household,
                 to_household=new, note=note)
    audit_record(user=changed_by, action=AuditEvent.Action.CHANGE, obj=household,
                 summary=f"split household {household.pk}: {len(leaving)} members to household {new.pk}",
                 detail={"new_household": new.pk, "members": sorted(chosen), "on": on.isoformat()}, request=request)
    national_proposal_add(
        kind=NationalProposal.Kind.NEW, cause=NationalProposal.Cause.SPLIT, household=new, person=head,
        proposed_by=changed_by,
        reason=_("New KK %(new)s split from KK %(old)s on %(on)s (%(n)s members). %(note)s") % {
            "new": kk_number, "old": household.kk_number or "-", "on": on.strftime("%d-%m-%Y"),
            "n": len(leaving), "note": note.strip()},
    )
    return new


@transaction.atomic
def person_record_death(*, person: Person, died_on: datetime.date, changed_by, note: str = "",
                        request=None) -> Person:
    """Record a death: the person stays in the registry as deceased; their open referrals are
    closed and their quota places freed (by the apps that own them, ``hooks.person_died``), and
    the national registry is asked to deactivate the record."""
    person = Person.objects.select_for_update(of=("self",)).select_related("household").get(pk=person.pk)
    _check_changeable(person)
    _check_date(died_on, person=person)
    person.life_status, person.died_on = Person.LifeStatus.DECEASED, died_on
    person.save(update_fields=["life_status", "died_on", "updated_at"])
    _history(person, MemberChange.Kind.DEATH, on=died_on, by=changed_by, from_household=person.household,
             note=note)
    audit_record(user=changed_by, action=AuditEvent.Action.CHANGE, obj=person,
                 summary=f"recorded the death of person {person.pk}", detail={"died_on": died_on.isoformat()},
                 request=request)
    hooks.person_died(person=person, died_on=died_on, actor=changed_by)
    national_proposal_add(
        kind=NationalProposal.Kind.DEACTIVATION, cause=NationalProposal.Cause.DEATH, person=person,
        proposed_by=changed_by,
        reason=_("Died on %(on)s. %(note)s") % {"on": died_on.strftime("%d-%m-%Y"), "note": note.strip()},
    )
    return person


@transaction.atomic
def person_record_birth(*, household: Household, full_name: str, sex: str, birth_date: datetime.date,
                        birth_place: str = "", nik: str | None = None, no_nik_reason: str = "",
                        changed_by, note: str = "", request=None) -> Person:
    """A newborn joins the household as a child, usually without a NIK yet (the reason says so)."""
    _check_date(birth_date)
    if birth_date < timezone.localdate() - datetime.timedelta(days=366):
        raise ValidationError({"birth_date": _("A birth is recorded within a year: register an older child as a "
                                               "member of the household instead.")})
    person = person_register(
        household=household, created_by=changed_by, request=request, full_name=full_name.strip(), sex=sex,
        birth_date=birth_date, birth_place=birth_place.strip(), nik=nik,
        no_nik_reason=no_nik_reason or _("Newborn: no NIK yet"), relationship=Person.Relationship.CHILD,
    )
    _history(person, MemberChange.Kind.BIRTH, on=birth_date, by=changed_by, to_household=household, note=note)
    national_proposal_add(
        kind=NationalProposal.Kind.NEW, cause=NationalProposal.Cause.BIRTH, person=person, household=household,
        proposed_by=changed_by,
        reason=_("Born on %(on)s into KK %(kk)s. %(note)s") % {
            "on": birth_date.strftime("%d-%m-%Y"), "kk": household.kk_number or "-", "note": note.strip()},
    )
    return person


def person_changes_forget(*, person: Person, needles: list[str], removed_text: str) -> None:
    """Anonymising a person (``pandu.office.privacy``): their own household history keeps its kind
    and dates, their proposals to the national registry their kind, cause and month (they were
    exported first: ``proposals.proposals_not_exported``); both lose the households they name
    (the household pages no longer list the person) and their free text. Any other member
    change's note or proposal's reason that names the person (``needles``: the name, the NIK)
    is replaced with ``removed_text``, as survey notes are."""
    MemberChange.objects.filter(person=person).exclude(note="").update(note=removed_text)
    MemberChange.objects.filter(person=person).update(from_household=None, to_household=None)
    NationalProposal.objects.filter(person=person).update(household=None, reason=removed_text)
    MemberChange.objects.filter(mentioning("note", needles)).update(note=removed_text)
    NationalProposal.objects.filter(mentioning("reason", needles)).update(reason=removed_text)
