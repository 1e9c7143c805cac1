"""The national update cycle: the month's proposals to the national registry (DTKS/DTSEN) and
their export in the column layout of the ministry's application imports (usulan), with who
proposed what and why. The proposals themselves are added by ``clients.changes.national_proposal_add``
(deaths, moves, splits, births; verivali decrees; merges)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from clients.models import NationalProposal, Person
from clients.registry.export import RELATIONSHIP_WORDS
from pandu.models import AuditEvent

# The ministry's words for the kind and the cause of a proposal.
KIND_WORDS = {
    NationalProposal.Kind.NEW: "BARU",
    NationalProposal.Kind.CORRECTION: "PERBAIKAN",
    NationalProposal.Kind.DEACTIVATION: "NONAKTIF",
}
CAUSE_WORDS = {
    NationalProposal.Cause.DEATH: "MENINGGAL",
    NationalProposal.Cause.MOVE: "PINDAH KK",
    NationalProposal.Cause.SPLIT: "PISAH KK",
    NationalProposal.Cause.BIRTH: "KELAHIRAN",
    NationalProposal.Cause.VERIVALI: "HASIL VERIVALI",
    NationalProposal.Cause.MERGE: "DATA GANDA",
}
HEADER = [
    "NO", "BULAN", "JENIS_USULAN", "ALASAN", "ID_DTKS", "NO_KK", "NIK", "NAMA", "JENIS_KELAMIN", "TANGGAL_LAHIR",
    "HUBUNGAN_KELUARGA", "ALAMAT", "RT", "RW", "KODE_WILAYAH", "DESIL", "KETERANGAN", "DIUSULKAN_OLEH",
    "TANGGAL_USULAN",
]  # fmt: skip


# The export's audit event begins its summary with this, and names its month in ``detail["month"]``:
# together they say which proposals have left for the ministry (``proposals_not_exported``).
EXPORT_SUMMARY = "national registry proposals"


def month_start(day: datetime.date | None = None) -> datetime.date:
    return (day or timezone.localdate()).replace(day=1)


def proposal_months() -> list[dict]:
    """Each month with proposals, newest first, with its count."""
    return list(NationalProposal.objects.values("month").annotate(count=Count("pk")).order_by("-month"))


def proposals_of_month(month: datetime.date) -> QuerySet[NationalProposal]:
    return (NationalProposal.objects.filter(month=month)
            .select_related("household__village", "person__household__village", "proposed_by")
            .order_by("proposed_at", "pk"))


def proposal_counts(month: datetime.date) -> dict[str, int]:
    return dict(NationalProposal.objects.filter(month=month).values_list("kind").annotate(n=Count("pk")))


def proposals_about(person: Person) -> QuerySet[NationalProposal]:
    """The proposals about the person, and those about their household as a whole."""
    about = Q(person=person)
    if person.household_id:
        about |= Q(household_id=person.household_id, person__isnull=True)
    return NationalProposal.objects.filter(about)


def proposals_not_exported(person: Person) -> list[NationalProposal]:
    """The proposals that would carry the person to the ministry and that no export of their month
    has carried yet: those about the person, and those about their household as a whole unless
    the person died (the export lists a household's living members). An export carries a month's
    proposals made before it."""
    proposals = proposals_about(person)
    if person.life_status == Person.LifeStatus.DECEASED:
        proposals = proposals.exclude(person__isnull=True)
    proposals = list(proposals.order_by("month", "proposed_at", "pk"))
    if not proposals:
        return []
    exports = AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, at__gte=min(p.proposed_at for p in proposals), summary__startswith=EXPORT_SUMMARY,
        detail__month__in=sorted({f"{p.month:%Y-%m}" for p in proposals}),
    ).values_list("detail__month", "at")
    last_export: dict[str, datetime.datetime] = {}
    for month, at in exports:
        last_export[month] = max(at, last_export.get(month, at))
    return [p for p in proposals if not (at := last_export.get(f"{p.month:%Y-%m}")) or at < p.proposed_at]


def _person_cells(person: Person | None) -> list:
    if person is None:
        return ["", "", "", "", ""]
    return [person.nik or "", person.full_name, person.sex, person.birth_date.isoformat() if person.birth_date else "",
            RELATIONSHIP_WORDS.get(person.relationship, person.relationship)]


def export_rows(proposals: QuerySet[NationalProposal]) -> Iterator[list]:
    """One row per person a proposal concerns: the person named, or else each member of the
    household (anonymised persons left out, and so are the proposals about one: its month was
    exported before the person was anonymised, ``proposals_not_exported``)."""
    proposals = list(proposals)
    members: dict[int, list[Person]] = {}
    household_only = {p.household_id for p in proposals if p.person_id is None and p.household_id}
    for person in (Person.objects.filter(household__in=household_only, anonymised_at__isnull=True)
                   .exclude(life_status=Person.LifeStatus.DECEASED).order_by("relationship", "birth_date", "pk")):
        members.setdefault(person.household_id, []).append(person)
    number = 0
    for proposal in proposals:
        if proposal.person is not None and proposal.person.is_anonymised:
            continue
        household = proposal.household or (proposal.person.household if proposal.person else None)
        persons = [proposal.person] if proposal.person else members.get(proposal.household_id, []) or [None]
        for person in persons:
            number += 1
            by = proposal.proposed_by
            yield [
                number, proposal.month.strftime("%Y-%m"), KIND_WORDS[proposal.kind], CAUSE_WORDS[proposal.cause],
                household.national_id if household else "", (household.kk_number or "") if household else "",
                *_person_cells(person),
                household.address if household else "", household.rt if household else "",
                household.rw if household else "", household.village.code if household else "",
                household.decile if household and household.decile is not None else "", proposal.reason,
                (by.get_full_name() or by.get_username()) if by else "",
                timezone.localtime(proposal.proposed_at).date().isoformat(),
            ]
