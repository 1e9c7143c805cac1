"""Everything Pandu holds about one person, as one ZIP archive (UU 27/2022 art. 7 and 13).

``person_dossier`` reads the records into JSON values and lists the stored files;
``dossier_zip`` writes ``person.json`` (machine-readable), ``README.txt`` (a summary a person
can read) and the files themselves, read through the private storage, into a temporary file.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from typing import IO

from django.db.models import Prefetch, Q
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import (
    Complaint,
    DisabilityKind,
    DisabilitySeverity,
    Household,
    MemberChange,
    NationalProposal,
    Participation,
    Person,
    PersonAlias,
    PersonMerge,
    RegistryStatus,
)
from clients.proposals import proposals_about
from desks.models import Ticket
from desks.selectors import visits_for_person
from pandu.identity import office_identity
from pandu.models import AuditEvent
from referrals.models import Case, Recommendation, Referral, ReferralAttachment, ReferralEvent
from verivali.models import Answer, Assessment, AssessmentPhoto, ClassBand

# person.json's format and version. A reader ignores keys it does not know: new keys (the
# household history, programmes and proposals of the registry upkeep) keep the version; it
# changes when a key is removed or renamed or its meaning changes.
FORMAT = "pandu-person-export/1"


@dataclass
class Dossier:
    data: dict
    files: list[tuple[str, FieldFile]] = field(default_factory=list)

    def add_file(self, fieldfile: FieldFile, path: str) -> str | None:
        """Put a stored file into the archive at ``path``; the JSON names it by that path."""
        if not fieldfile:
            return None
        self.files.append((path, fieldfile))
        return path


def _safe(text: str) -> str:
    """A piece of an archive path: no folders, no surprises for an unzip tool."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "file"


def _extension(fieldfile: FieldFile) -> str:
    return fieldfile.name.rsplit(".", 1)[-1].lower() if "." in fieldfile.name else "bin"


def _user(user) -> str | None:
    if user is None:
        return None
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def _at(value) -> str | None:
    """A time in the office's zone (WITA), ISO 8601 with its offset; a date as YYYY-MM-DD."""
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _region(region) -> dict | None:
    return {"code": region.code, "name": region.name.title()} if region else None


def _person(person: Person, dossier: Dossier) -> dict:
    return {
        "id": person.pk,
        "nik": person.nik,
        "no_nik_reason": person.no_nik_reason,
        "full_name": person.full_name,
        "sex": person.sex,
        "birth_place": person.birth_place,
        "birth_date": _at(person.birth_date),
        "relationship_to_head": person.relationship,
        "education": person.education,
        "occupation": person.occupation,
        "disability": person.disability,
        "disability_kinds": list(person.disability_kinds),
        "disability_severity": person.disability_severity,
        "chronic_illness": person.chronic_illness,
        "phone": person.phone,
        "life_status": person.life_status,
        "pmks_categories": [
            {"code": c.code, "name_id": c.name_id, "name_en": c.name_en} for c in person.pmks_categories.all()
        ],
        "photo": dossier.add_file(person.photo, f"files/person-photo.{_extension(person.photo)}"),
        "registered_at": _at(person.created_at),
        "registered_by": _user(person.created_by),
        "updated_at": _at(person.updated_at),
        "anonymised": {
            "at": _at(person.anonymised_at), "by": _user(person.anonymised_by), "reason": person.anonymisation_reason,
        } if person.is_anonymised else None,
    }


def _household(household: Household | None, person: Person, dossier: Dossier) -> dict | None:
    if household is None:
        return None
    others = household.members.exclude(pk=person.pk).order_by("pk")
    return {
        "id": household.pk,
        "kk_number": household.kk_number,
        "address": household.address,
        "rt": household.rt,
        "rw": household.rw,
        "village": _region(household.village),
        "kecamatan": _region(household.village.parent),
        "registry_status": household.registry_status,
        "registry_source": household.registry_source,
        "registry_year": household.registry_year,
        "house_photo": dossier.add_file(
            household.house_photo, f"files/house-photo.{_extension(household.house_photo)}"
        ),
        # The other members as far as the person's own record names them: name and relationship.
        "other_members": [{"full_name": m.full_name, "relationship_to_head": m.relationship} for m in others],
        "registry_changes": [
            {"at": _at(c.at), "from_status": c.from_status, "to_status": c.to_status, "source": c.source,
             "year": c.year, "reason": c.reason, "reference": c.reference, "changed_by": _user(c.changed_by)}
            for c in household.registry_changes.select_related("changed_by").order_by("at", "pk")
        ],
    }


def _aliases(person: Person) -> list[dict]:
    """The names and NIKs of the person's records merged into this one: search still finds them."""
    return [
        {"full_name": a.full_name, "nik": a.nik, "merged_at": _at(a.merge.merged_at)}
        for a in PersonAlias.objects.filter(person=person).select_related("merge").order_by("merge__merged_at", "pk")
    ]


def _kk(household: Household | None) -> str | None:
    return household.kk_number if household else None


def _member_changes(person: Person) -> list[dict]:
    """The person's moves, split, birth and death as the household history records them."""
    return [
        {"kind": c.kind, "from_kk_number": _kk(c.from_household), "to_kk_number": _kk(c.to_household),
         "on": _at(c.on), "note": c.note, "recorded_at": _at(c.at), "recorded_by": _user(c.by)}
        for c in MemberChange.objects.filter(person=person)
        .select_related("from_household", "to_household", "by").order_by("on", "at", "pk")
    ]


def _participations_of(person: Person):
    """The person's own programmes and their household's (not the other members' own)."""
    whose = Q(person=person)
    if person.household_id:
        whose |= Q(household_id=person.household_id)
    return Participation.objects.filter(whose)


def _participations(person: Person) -> list[dict]:
    return [
        {"programme": {"code": p.programme.code, "name": p.programme.name},
         "given_to": "person" if p.person_id else "household", "from": _at(p.starts_on), "until": _at(p.ends_on),
         "source": p.source, "as_of": _at(p.as_of)}
        for p in _participations_of(person).select_related("programme").order_by("starts_on", "programme__code", "pk")
    ]


def _national_proposals(person: Person) -> list[dict]:
    return [
        {"kind": p.kind, "cause": p.cause, "about": "person" if p.person_id else "household", "reason": p.reason,
         "month": f"{p.month:%Y-%m}", "proposed_at": _at(p.proposed_at), "proposed_by": _user(p.proposed_by)}
        for p in proposals_about(person).select_related("proposed_by").order_by("month", "proposed_at", "pk")
    ]


def _visits(person: Person) -> list[dict]:
    return [
        {
            "ticket": ticket.number, "date": _at(ticket.issued_on), "status": ticket.status,
            "steps": [
                {"desk": step.desk.name, "status": step.status, "queued_at": _at(step.queued_at),
                 "called_at": _at(step.called_at), "served_at": _at(step.served_at), "done_at": _at(step.done_at),
                 "officer": _user(step.officer), "note": step.note}
                for step in ticket.steps.all()
            ],
        }
        for ticket in visits_for_person(person).reverse()
    ]


THIRD_PARTY = "withheld: written by a third party"


def _complaints(person: Person) -> list[dict]:
    """Complaints about the person, and those about their household as a whole. Who complained
    and what they wrote is withheld: often a neighbour, who must not fear retaliation
    (UU 27/2022 protects the third party's data too); the office's answer is given."""
    about = Q(person=person)
    if person.household_id:
        about |= Q(household_id=person.household_id, person__isnull=True)
    return [
        {"number": c.number, "kind": c.kind, "status": c.status, "complainant": THIRD_PARTY,
         "description": THIRD_PARTY if c.description else "", "resolution": c.resolution,
         "received_at": _at(c.created_at), "received_by": _user(c.received_by), "resolved_at": _at(c.resolved_at),
         "resolved_by": _user(c.resolved_by)}
        for c in Complaint.objects.filter(about).select_related("received_by", "resolved_by").order_by("created_at", "pk")
    ]


def _referral(referral, dossier: Dossier) -> dict:
    folder = f"files/referrals/{_safe(referral.number)}"
    return {
        "number": referral.number,
        "service": referral.service.name,
        "provider": referral.provider.name,
        "status": referral.status,
        "created_at": _at(referral.created_at),
        "created_by": _user(referral.created_by),
        "sent_at": _at(referral.sent_at),
        "on_waiting_list_since": _at(referral.waitlisted_at),
        "due_on": _at(referral.due_on),
        "required_documents": referral.required_documents,
        "documents_present": referral.documents_checked,
        "accepted_by": _user(referral.accepted_by),
        "outcome": referral.outcome,
        "outcome_detail": referral.outcome_detail,
        "closed_at": _at(referral.closed_at),
        "events": [
            {"at": _at(e.at), "by": _user(e.actor), "action": e.action, "from_status": e.from_status,
             "to_status": e.to_status, "note": e.note}
            for e in referral.events.all()
        ],
        "attachments": [
            {"document": a.document, "kind": a.kind, "original_name": a.original_name, "size": a.size,
             "uploaded_at": _at(a.uploaded_at), "uploaded_by": _user(a.uploaded_by),
             "file": dossier.add_file(a.file, f"{folder}/{a.pk}-{_safe(a.original_name)}")}
            for a in referral.attachments.all()
        ],
    }


def _cases(person: Person, dossier: Dossier) -> list[dict]:

    referrals = Referral.objects.select_related("service", "provider", "created_by", "accepted_by").prefetch_related(
        Prefetch("events", queryset=ReferralEvent.objects.select_related("actor")),
        Prefetch("attachments", queryset=ReferralAttachment.objects.select_related("uploaded_by")),
    ).order_by("created_at", "pk")
    cases = (
        Case.objects.filter(person=person)
        .select_related("ticket", "recommendation", "created_by", "pathway_decided_by")
        .prefetch_related(Prefetch("referrals", queryset=referrals))
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": case.pk, "opened_at": _at(case.created_at), "opened_by": _user(case.created_by),
            "ticket": case.ticket.number if case.ticket else None,
            "registry_status_at_opening": case.registry_status, "proposed_pathway": case.proposed_pathway,
            "pathway": case.pathway, "pathway_decided_by": _user(case.pathway_decided_by),
            "reason_for_another_pathway": case.pathway_override_reason, "note": case.note,
            "recommendation": str(case.recommendation) if case.recommendation else None,
            "referrals": [_referral(referral, dossier) for referral in case.referrals.all()],
        }
        for case in cases
    ]


def _recommendations(person: Person) -> list[dict]:

    return [
        {"id": r.pk, "number": r.number, "status": r.status, "reason": r.reason, "officer_assessment": r.assessment,
         "requested_at": _at(r.created_at), "requested_by": _user(r.requested_by), "decided_at": _at(r.decided_at),
         "decided_by": _user(r.decided_by), "decision_note": r.decision_note}
        for r in Recommendation.objects.filter(person=person)
        .select_related("requested_by", "decided_by").order_by("created_at", "pk")
    ]


def _assessments(person: Person, dossier: Dossier) -> list[dict]:
    """The verivali surveys of the person's household, with every answer and its score."""

    if person.household_id is None:
        return []
    assessments = (
        Assessment.objects.filter(household_id=person.household_id)
        .select_related("batch", "version", "surveyor", "validated_by")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("indicator")),
            "photos",
            "member_checks",
        )
        .order_by("created_at", "pk")
    )
    result = []
    for a in assessments:
        finding = next((c.finding for c in a.member_checks.all() if c.person_id == person.pk), None)
        result.append({
            "id": a.pk,
            "batch": {"code": a.batch.code, "name": a.batch.name, "status": a.batch.status,
                      "decree_number": a.batch.decree_number, "decree_date": _at(a.batch.decree_date)},
            "entered_from": a.source, "status": a.status, "surveyor": _user(a.surveyor),
            "scorecard_version": a.version.number if a.version else None,
            "score": a.score, "welfare_class": a.welfare_class,
            "answers": [
                {"indicator": answer.indicator.code, "question": answer.indicator.text, "value": answer.value,
                 "answer": answer.indicator.options[answer.value - 1][1]}
                for answer in a.answers.all()
            ],
            "finding_about_the_person": finding,
            "latitude": float(a.latitude) if a.latitude is not None else None,
            "longitude": float(a.longitude) if a.longitude is not None else None,
            "notes": a.notes, "note_from_validator": a.return_note,
            "submitted_at": _at(a.submitted_at), "validated_at": _at(a.validated_at),
            "validated_by": _user(a.validated_by), "approved_at": _at(a.approved_at),
            "photos": [
                {"kind": p.kind, "file": dossier.add_file(
                    p.image, f"files/verivali/assessment-{a.pk}-{p.kind}.{_extension(p.image)}")}
                for p in a.photos.all()
            ],
        })
    return result


def _audit_events(person: Person, data: dict) -> list[dict]:
    """Who opened, exported or changed the person's record, their household, referrals,
    recommendations, documents, survey photos, merges, household history, programmes and
    proposals to the national registry, and when."""

    def about(model, ids) -> Q:
        return Q(object_type=model._meta.label_lower, object_id__in=[str(pk) for pk in ids])

    referrals = Referral.objects.filter(case__person=person).values_list("pk", flat=True)
    objects = (
        about(Person, [person.pk])
        | about(Referral, referrals)
        | about(ReferralAttachment, ReferralAttachment.objects.filter(referral__in=referrals).values_list("pk", flat=True))
        | about(Recommendation, [r["id"] for r in data["recommendations"]])
        | about(PersonMerge, PersonMerge.objects.filter(Q(survivor=person) | Q(merged_id=person.pk))
                .values_list("pk", flat=True))
        | about(MemberChange, MemberChange.objects.filter(person=person).values_list("pk", flat=True))
        | about(Participation, _participations_of(person).values_list("pk", flat=True))
        | about(NationalProposal, proposals_about(person).values_list("pk", flat=True))
    )
    if person.household_id:
        objects |= about(Household, [person.household_id]) | about(
            AssessmentPhoto,
            AssessmentPhoto.objects.filter(assessment__household_id=person.household_id).values_list("pk", flat=True),
        )
    return [
        {"at": _at(e.at), "user": e.username, "action": e.action, "object": f"{e.object_type}#{e.object_id}",
         "summary": e.summary, "detail": e.detail}
        for e in AuditEvent.objects.filter(objects).order_by("at", "pk")
    ]


def person_dossier(person: Person, *, generated_by) -> Dossier:
    """Everything about the person as JSON values, and the stored files that go with them."""
    person = Person.objects.select_related(
        "household__village__parent", "created_by", "anonymised_by"
    ).prefetch_related("pmks_categories").get(pk=person.pk)
    dossier = Dossier(data={})
    data = dossier.data
    data["format"] = FORMAT
    data["office"] = office_identity().name
    data["generated_at"] = _at(timezone.now())
    data["generated_by"] = _user(generated_by)
    data["person"] = _person(person, dossier)
    data["former_names_and_niks"] = _aliases(person)
    data["household"] = _household(person.household, person, dossier)
    data["household_history"] = _member_changes(person)
    data["programme_participations"] = _participations(person)
    data["visits"] = _visits(person)
    data["complaints"] = _complaints(person)
    data["cases"] = _cases(person, dossier)
    data["recommendations"] = _recommendations(person)
    data["verivali_assessments"] = _assessments(person, dossier)
    data["national_registry_proposals"] = _national_proposals(person)
    data["audit_events"] = _audit_events(person, data)
    return dossier


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value)) if value else "—"


def _readable(iso: str) -> str:
    """2026-11-28T19:00:43+08:00 → 2026-11-28 19:00 (WITA, as everything in the archive)."""
    return iso[:16].replace("T", " ")


def _history_line(change: dict) -> str:
    """2026-11-28 · Moved to another KK · KK 6403… → KK 6403… · the note · who recorded it."""
    parts = [change["on"], _label(MemberChange.Kind.choices, change["kind"])]
    if change["from_kk_number"] or change["to_kk_number"]:
        parts.append(f"KK {change['from_kk_number'] or '—'} → KK {change['to_kk_number'] or '—'}")
    return " · ".join([*parts, *([change["note"]] if change["note"] else []), change["recorded_by"] or "—"])


def _readme_sections(data: dict) -> list[tuple[str, list[str]]]:
    """The summary of README.txt: each section a title and its lines, in the reader's language."""

    person, household = data["person"], data["household"]
    about = [
        _("Name: %(value)s") % {"value": person["full_name"]},
        _("NIK: %(value)s") % {"value": person["nik"] or person["no_nik_reason"]},
        _("Sex: %(value)s") % {"value": _label(Person.Sex.choices, person["sex"])},
        _("Born: %(place)s %(date)s") % {"place": person["birth_place"], "date": person["birth_date"] or "—"},
        _("Relationship to head: %(value)s") % {"value": _label(Person.Relationship.choices, person["relationship_to_head"])},
        _("Status: %(value)s") % {"value": _label(Person.LifeStatus.choices, person["life_status"])},
        _("Phone: %(value)s") % {"value": person["phone"] or "—"},
        _("Disability: %(value)s") % {"value": ", ".join(
            [_label(DisabilityKind.choices, kind) for kind in person["disability_kinds"]]
            + ([_label(DisabilitySeverity.choices, person["disability_severity"])] if person["disability_severity"] else [])
            + ([person["disability"]] if person["disability"] else [])) or "—"},
        _("Chronic illness: %(value)s") % {"value": person["chronic_illness"] or "—"},
        _("PMKS categories: %(value)s") % {"value": ", ".join(c["code"] for c in person["pmks_categories"]) or "—"},
    ]
    if person["anonymised"]:
        about.append(_("Anonymised on %(at)s by %(by)s: %(reason)s") % person["anonymised"])
    sections = [(_("Person"), about), (_("Former names and NIKs (records merged into this one)"), [
        f"{a['full_name']} · {a['nik'] or '—'} · {_readable(a['merged_at'])}" for a in data["former_names_and_niks"]])]
    if household:
        sections.append((_("Household"), [
            _("KK number: %(value)s") % {"value": household["kk_number"] or "—"},
            _("Address: %(address)s RT %(rt)s RW %(rw)s, %(village)s, %(kecamatan)s") % {
                **household, "village": household["village"]["name"], "kecamatan": household["kecamatan"]["name"]},
            _("Registry status: %(value)s %(source)s %(year)s") % {
                "value": _label(RegistryStatus.choices, household["registry_status"]),
                "source": household["registry_source"], "year": household["registry_year"] or ""},
            _("Other members: %(value)s") % {
                "value": ", ".join(m["full_name"] for m in household["other_members"]) or "—"},
        ]))
    referrals = [r for case in data["cases"] for r in case["referrals"]]
    sections += [
        (_("Household history"), [_history_line(c) for c in data["household_history"]]),
        (_("Programmes"), [f"{p['programme']['code']} · {p['programme']['name']} · {p['from']}–{p['until'] or '…'} · "
                           f"{p['source']} ({p['as_of']})" for p in data["programme_participations"]]),
        (_("Visits"), [f"{v['ticket']} · {v['date']} · {_label(Ticket.Status.choices, v['status'])}"
                       for v in data["visits"]]),
        (_("Complaints"), [f"{c['number']} · {_label(Complaint.Kind.choices, c['kind'])} · "
                           f"{_label(Complaint.Status.choices, c['status'])}" for c in data["complaints"]]),
        (_("Referrals"), [f"{r['number']} · {r['service']} · {r['provider']} · "
                          f"{_label(Referral.Status.choices, r['status'])}" for r in referrals]),
        (_("Recommendations"), [f"{r['number'] or r['id']} · {_label(Recommendation.Status.choices, r['status'])}"
                                for r in data["recommendations"]]),
        (_("Verivali surveys"), [f"{a['batch']['name']} · {_label(Assessment.Status.choices, a['status'])} · "
                                 f"{a['score'] or '—'} {_label(ClassBand.WelfareClass.choices, a['welfare_class'])}"
                                 for a in data["verivali_assessments"]]),
        (_("Proposals to the national registry"), [
            f"{p['month']} · {_label(NationalProposal.Kind.choices, p['kind'])} · "
            f"{_label(NationalProposal.Cause.choices, p['cause'])} · {p['reason']}"
            for p in data["national_registry_proposals"]]),
        (_("Who opened, exported or changed the record"), [
            f"{_readable(e['at'])} · {e['user'] or '—'} · {_label(AuditEvent.Action.choices, e['action'])} · "
            f"{e['object']}"
            for e in data["audit_events"]]),
    ]
    return sections


def write_dossier_zip(dossier: Dossier, handle: IO[bytes]) -> None:
    """The files first (a file gone from the disk is listed as missing), then person.json and
    README.txt."""
    missing = []
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, fieldfile in dossier.files:
            try:
                source = fieldfile.storage.open(fieldfile.name, "rb")
            except FileNotFoundError:
                missing.append(path)
                continue
            with source, archive.open(path, "w") as target:
                shutil.copyfileobj(source, target)
        dossier.data["missing_files"] = missing
        archive.writestr("person.json", json.dumps(dossier.data, ensure_ascii=False, indent=2))
        files = [path for path, _file in dossier.files if path not in missing]
        archive.writestr("README.txt", render_to_string("privacy/readme.txt", {
            "data": dossier.data, "prepared_at": _readable(dossier.data["generated_at"]),
            "sections": _readme_sections(dossier.data), "files": files, "missing": missing,
        }))


def dossier_zip(person: Person, *, generated_by) -> IO[bytes]:
    """The archive in a temporary file, rewound, for a response to stream (and close)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    write_dossier_zip(person_dossier(person, generated_by=generated_by), handle)
    handle.seek(0)
    return handle
