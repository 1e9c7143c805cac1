"""The data officer's decisions on a duplicate pair: merge (the survivor keeps the values
chosen field by field, takes every related record, and the other record's name and NIK stay
as aliases search still finds), "not the same person", "later"; and the undo of a merge.

Every record of another table that points at a person moves, whatever app it belongs to:
the relations are read from ``Person._meta.related_objects``, and each moved row's id is kept
on the merge so the undo puts it back.
"""

from __future__ import annotations

import json

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import hooks
from clients.changes import national_proposal_add
from clients.models import (
    DuplicateCandidate,
    NameKey,
    NationalProposal,
    Person,
    PersonAlias,
    PersonMerge,
    RegistryChange,
)
from pandu.audit import audit_record
from pandu.models import AuditEvent

# The fields the data officer chooses between, in the page's order, with their labels.
MERGE_FIELDS = (
    "nik", "full_name", "sex", "birth_place", "birth_date", "household", "relationship", "education",
    "occupation", "disability", "chronic_illness", "phone", "life_status", "photo",
)
# A choice carries these along: a NIK's reason for none, a photo's thumbnail.
_COMPANIONS = {"nik": ("no_nik_reason",), "photo": ("photo_thumb",)}
# The pairs of the review queue are the merge's own business, not moved with it. (Earlier merges
# into the other record move: their survivor is now this merge's survivor.)
_NOT_MOVED = {(DuplicateCandidate, "person_a"), (DuplicateCandidate, "person_b")}


def merge_field_label(name: str) -> str:
    return str(Person._meta.get_field(name).verbose_name)


def person_relations() -> list[tuple[type, str]]:
    """(model, field name) of every foreign key to Person in the project, those without a
    reverse accessor (``related_name="+"``) too; a many-to-many relation by its through table.
    Person's own PMKS categories (its auto-created through table) are not among them."""
    relations = []
    for relation in Person._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.is_relation):
            continue
        if relation.many_to_many:
            through = relation.through
            field = next(f for f in through._meta.fields if f.related_model is Person)
            relations.append((through, field.name))
        elif not relation.related_model._meta.auto_created:
            relations.append((relation.related_model, relation.field.name))
    return relations


def moved_relations() -> list[tuple[type, str]]:
    """The relations whose rows a merge moves to the survivor: all but the review's pairs."""
    return [(model, name) for model, name in person_relations() if (model, name) not in _NOT_MOVED]


def _serialized(objects) -> list:
    """Rows as JSON values (dates as text), for a JSONField; ``_restore`` saves them back."""
    return json.loads(serializers.serialize("json", objects))


def _restore(snapshot: list) -> None:
    for item in serializers.deserialize("python", snapshot):
        item.save()


def _move(*, source: int, target: int) -> dict[str, dict[str, list[int]]]:
    """Point every related row of person ``source`` at ``target``; return the ids moved."""
    moved: dict[str, dict[str, list[int]]] = {}
    for model, field_name in moved_relations():
        field = model._meta.get_field(field_name)
        rows = model.objects.filter(**{field.attname: source})
        ids = list(rows.values_list("pk", flat=True))
        if not ids:
            continue
        try:
            with transaction.atomic():
                model.objects.filter(pk__in=ids).update(**{field.attname: target})
        except IntegrityError:
            raise ValidationError(
                _("Both records are in the same %(what)s, which allows one person only. Settle that first.")
                % {"what": model._meta.verbose_name}
            ) from None
        moved.setdefault(model._meta.label, {})[field_name] = ids
    return moved


def _move_back(*, moved: dict, source: int, target: int) -> None:
    """The undo of ``_move``: the rows moved to ``source`` that are still there go back."""
    for label, fields in moved.items():
        model = apps.get_model(label)
        for field_name, ids in fields.items():
            attname = model._meta.get_field(field_name).attname
            model.objects.filter(pk__in=ids, **{attname: source}).update(**{attname: target})


def _aliases(*, merge: PersonMerge, person: Person, names: list[tuple[str, str]]) -> None:
    for full_name, nik in dict.fromkeys(names):
        alias = PersonAlias.objects.create(person=person, merge=merge, full_name=full_name, nik=nik or "")
        PersonAlias.objects.filter(pk=alias.pk).update(name_key=NameKey("full_name"))


def _history(*, person: Person, reason: str, reference: str, user) -> None:
    household = person.household
    if household is not None:
        RegistryChange.objects.create(
            household=household, from_status=household.registry_status, to_status=household.registry_status,
            source=household.registry_source, year=household.registry_year, reason=reason[:255],
            reference=reference[:120], changed_by=user,
        )


def _pair(first: int, second: int) -> dict:
    return {"person_a_id": min(first, second), "person_b_id": max(first, second)}


@transaction.atomic
def persons_merge(*, candidate: DuplicateCandidate, survivor: Person, choices: dict[str, str], user,
                  request=None) -> PersonMerge:
    """Merge the candidate's two persons into ``survivor``. ``choices`` maps a field of
    MERGE_FIELDS to "survivor" or "other" (missing: the survivor's); the other record's
    related rows move to the survivor, its PMKS categories are added, and the record itself
    goes, leaving its name and NIK as aliases. Undone by ``merge_undo`` within 30 days."""
    candidate = DuplicateCandidate.objects.select_for_update().filter(pk=candidate.pk).first()
    if candidate is None or candidate.state == DuplicateCandidate.State.NOT_SAME:
        raise ValidationError(_("This pair is no longer waiting for a decision."))
    if survivor.pk not in (candidate.person_a_id, candidate.person_b_id):
        raise ValidationError(_("Choose which of the two records stays."))
    other_pk = candidate.person_b_id if survivor.pk == candidate.person_a_id else candidate.person_a_id
    locked = Person.objects.select_for_update().in_bulk([survivor.pk, other_pk])
    survivor, other = locked[survivor.pk], locked[other_pk]
    if survivor.is_anonymised or other.is_anonymised:
        raise ValidationError(_("An anonymised record cannot be merged."))
    survivor_before, other_record = _serialized([survivor]), _serialized([other])
    candidates = DuplicateCandidate.objects.filter(Q(person_a=other) | Q(person_b=other))
    candidate_rows = _serialized(candidates)
    old_names = [(survivor.full_name, survivor.nik), (other.full_name, other.nik)]

    moved = _move(source=other.pk, target=survivor.pk)
    survivor.pmks_categories.add(*other.pmks_categories.all())
    # "Not the same person" said of the other record holds for the survivor too.
    for decided in candidates.filter(state=DuplicateCandidate.State.NOT_SAME):
        third = decided.person_b_id if decided.person_a_id == other.pk else decided.person_a_id
        if third != survivor.pk:
            DuplicateCandidate.objects.get_or_create(
                **_pair(survivor.pk, third),
                defaults={"score": decided.score, "level": decided.level, "reasons": decided.reasons,
                          "state": decided.state, "decided_by": decided.decided_by, "decided_at": decided.decided_at},
            )
    taken = [name for name in MERGE_FIELDS if choices.get(name) == "other"]
    values = {name: getattr(other, name) for field in taken for name in (field, *_COMPANIONS.get(field, ()))}
    other_pk = other.pk
    other.delete()
    for name, value in values.items():
        setattr(survivor, name, value)
    if survivor.nik:
        survivor.no_nik_reason = ""
    elif not survivor.no_nik_reason:
        survivor.no_nik_reason = other_record[0]["fields"]["no_nik_reason"] or _("NIK unknown (merged record)")
    survivor.save()
    survivor.refresh_from_db()

    merge = PersonMerge.objects.create(
        survivor=survivor, merged_id=other_pk, merged_record=other_record, survivor_before=survivor_before,
        moved=moved, candidate=candidate_rows, merged_by=user,
    )
    _aliases(merge=merge, person=survivor,
             names=[(name, nik) for name, nik in old_names if (name, nik) != (survivor.full_name, survivor.nik)])
    _history(person=survivor, user=user, reference=f"merge #{merge.pk}",
             reason=f"merged duplicate person #{other_pk} into #{survivor.pk}")
    audit_record(user=user, action=AuditEvent.Action.CHANGE, obj=survivor, request=request,
                 summary=f"merged person {other_pk} into {survivor.pk}",
                 detail={"merge": merge.pk, "merged": other_pk, "fields_taken": taken,
                         "moved": {label: sum(map(len, fields.values())) for label, fields in moved.items()}})
    # One record left in Pandu: the national registry is asked to correct its two rows alike.
    national_proposal_add(kind=NationalProposal.Kind.CORRECTION, cause=NationalProposal.Cause.MERGE,
                          reason=f"Data ganda digabung: #{other_pk} ke #{survivor.pk}", person=survivor,
                          proposed_by=user, at=merge.merged_at)
    hooks.person_merged(merge)
    return merge


@transaction.atomic
def merge_undo(*, merge: PersonMerge, user, request=None) -> Person:
    """Put a merge back: the merged record with its own data, every moved record where it was,
    the survivor as it was before, the pair back in the review queue."""
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was already undone."))
    if not merge.survivor_before:
        raise ValidationError(_("The person was anonymised since: the merge can no longer be undone."))
    if merge.survivor_id != merge.survivor_before[0]["pk"]:
        raise ValidationError(_("The surviving record was merged into another since: undo that merge first."))
    if not merge.can_undo:
        raise ValidationError(_("A merge can be undone within %(days)d days only.") % {"days": PersonMerge.UNDO_DAYS})
    survivor = Person.objects.select_for_update().get(pk=merge.survivor_id)
    merge.aliases.all().delete()
    # The merge's proposal goes with it (moved with the survivor's rows, so found by its time).
    NationalProposal.objects.filter(cause=NationalProposal.Cause.MERGE, proposed_at=merge.merged_at,
                                    person_id=survivor.pk).delete()
    _restore(merge.survivor_before)  # first: it frees the NIK the survivor may have taken
    _restore(merge.merged_record)
    _move_back(moved=merge.moved, source=survivor.pk, target=merge.merged_id)
    for item in serializers.deserialize("python", merge.candidate):
        pair = item.object
        if Person.objects.filter(pk__in=[pair.person_a_id, pair.person_b_id]).count() == 2 and \
                not DuplicateCandidate.objects.filter(**_pair(pair.person_a_id, pair.person_b_id)).exists():
            item.save()
    merge.undone_at, merge.undone_by = timezone.now(), user
    merge.save(update_fields=["undone_at", "undone_by"])
    restored = Person.objects.get(pk=merge.merged_id)
    survivor.refresh_from_db()
    _history(person=survivor, user=user, reference=f"merge #{merge.pk}",
             reason=f"undid the merge of person #{restored.pk} into #{survivor.pk}")
    audit_record(user=user, action=AuditEvent.Action.CHANGE, obj=restored, request=request,
                 summary=f"undid merge of person {restored.pk} into {survivor.pk}", detail={"merge": merge.pk})
    return restored


@transaction.atomic
def candidate_decide(*, candidate: DuplicateCandidate, state: str, user) -> DuplicateCandidate:
    """"Not the same person" (remembered: never proposed again) or "later" (back of the queue)."""
    if state not in (DuplicateCandidate.State.NOT_SAME, DuplicateCandidate.State.LATER):
        raise ValidationError(_("Choose a decision."))
    updated = DuplicateCandidate.objects.filter(pk=candidate.pk).exclude(
        state=DuplicateCandidate.State.NOT_SAME
    ).update(state=state, decided_by=user, decided_at=timezone.now(), updated_at=timezone.now())
    if not updated:
        raise ValidationError(_("This pair is no longer waiting for a decision."))
    candidate.refresh_from_db()
    audit_record(user=user, action=AuditEvent.Action.CHANGE, obj=candidate,
                 summary=f"duplicate pair {candidate.person_a_id}/{candidate.person_b_id}: {state}")
    return candidate



def person_merges_forget(*, person: Person) -> list[str]:
    """For anonymising a person: their former names and NIKs go, and the merges into them keep
    who merged and when but no data of the records (they can no longer be undone); an undone
    merge of their record into another loses their record (the other's stays as it was).
    Returns the photo files those records of the person named, for the caller to delete."""
    PersonAlias.objects.filter(person=person).delete()
    into = PersonMerge.objects.filter(survivor=person)
    undone = PersonMerge.objects.filter(merged_id=person.pk)
    snapshots = [snapshot for merge in into for snapshot in (merge.merged_record, merge.survivor_before)]
    snapshots += [merge.merged_record for merge in undone]
    files = {
        item["fields"][name]
        for snapshot in snapshots for item in snapshot for name in ("photo", "photo_thumb") if item["fields"].get(name)
    }
    into.update(merged_record=[], survivor_before=[], candidate=[])
    undone.update(merged_record=[])
    return sorted(files)
