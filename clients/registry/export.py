"""Registry exports for SKPD and partners, and the ministry's proposal format.

The rows are written by ``pandu.exports`` (formulas escaped, CSV streamed from a
server-side cursor, XLSX in write-only mode). Callers log each export with
``audit_record`` (who, which filter, how many rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Q, QuerySet

from clients import hooks
from clients.models import Household, Person, RegistryChange, RegistryStatus

# The import template's columns first (an export can be imported again), then what helps a reader.
LIST_HEADER = [
    "NO_KK", "NIK", "NAMA", "JENIS_KELAMIN", "TEMPAT_LAHIR", "TANGGAL_LAHIR", "HUBUNGAN_KELUARGA",
    "ALAMAT", "RT", "RW", "KODE_WILAYAH", "SUMBER", "TAHUN", "KELURAHAN_KAMPUNG", "KECAMATAN",
    "STATUS_REGISTRY", "PMKS",
]  # fmt: skip
RELATIONSHIP_WORDS = {
    Person.Relationship.HEAD: "KEPALA KELUARGA",
    Person.Relationship.SPOUSE: "ISTRI/SUAMI",
    Person.Relationship.CHILD: "ANAK",
    Person.Relationship.CHILD_IN_LAW: "MENANTU",
    Person.Relationship.GRANDCHILD: "CUCU",
    Person.Relationship.PARENT: "ORANG TUA",
    Person.Relationship.PARENT_IN_LAW: "MERTUA",
    Person.Relationship.OTHER_RELATIVE: "FAMILI LAIN",
    Person.Relationship.HOUSEHOLD_HELPER: "PEMBANTU",
    Person.Relationship.OTHER: "LAINNYA",
}


def registry_list_persons(filters: dict) -> QuerySet[Person]:
    """Persons of the filtered households (kecamatan, village, status, source, PMKS category,
    and the filters the apps above register: the welfare class of the latest validated survey). Anonymised persons are
    left out: a row without name or NIK tells an agency nothing."""
    queryset = Person.objects.filter(household__isnull=False, anonymised_at__isnull=True)
    if filters.get("village"):
        queryset = queryset.filter(household__village__code=filters["village"])
    if filters.get("kecamatan"):
        queryset = queryset.filter(household__village__parent__code=filters["kecamatan"])
    if filters.get("registry_status"):
        queryset = queryset.filter(household__registry_status=filters["registry_status"])
    if filters.get("registry_source"):
        queryset = queryset.filter(household__registry_source__iexact=filters["registry_source"])
    if filters.get("pmks"):
        queryset = queryset.filter(pmks_categories__code=filters["pmks"])
    for item in hooks.household_filters():
        if filters.get(item.name):
            queryset = queryset.filter(household_id__in=item.household_ids(filters[item.name]))
    return queryset.order_by(
        "household__kk_number", "household_id", "relationship", "birth_date", "pk"
    )


def registry_list_rows(persons: QuerySet[Person]) -> Iterator[list]:
    values = persons.annotate(
        pmks=StringAgg("pmks_categories__code", delimiter=",", distinct=True, default="")
    ).values_list(
        "household__kk_number", "nik", "full_name", "sex", "birth_place", "birth_date", "relationship",
        "household__address", "household__rt", "household__rw", "household__village__code",
        "household__registry_source", "household__registry_year", "household__village__name",
        "household__village__parent__name", "household__registry_status", "pmks",
    )  # fmt: skip
    for row in values.iterator(chunk_size=5000):
        row = list(row)
        row[5] = row[5].isoformat() if row[5] else ""
        row[6] = RELATIONSHIP_WORDS.get(row[6], row[6])
        yield row


PROPOSAL_HEADER = [
    "NIK", "NO_KK", "NAMA", "ALAMAT", "KODE_WILAYAH", "JENIS_USULAN", "BATCH_VERIVALI", "NOMOR_SK", "TANGGAL",
]  # fmt: skip
VERIVALI_SOURCE_PREFIX = "VERIVALI:"


def proposal_type(change: RegistryChange) -> str:
    """new: enters the list; remove: leaves it; update: stays listed with changed data."""
    if change.to_status == RegistryStatus.LISTED and change.from_status != RegistryStatus.LISTED:
        return "new"
    if change.from_status == RegistryStatus.LISTED and change.to_status != RegistryStatus.LISTED:
        return "remove"
    return "update"


def verivali_changes() -> QuerySet[RegistryChange]:
    """Registry changes made by a verivali batch: source ``VERIVALI:<batch>``, or a reference
    that names a verivali batch (the decree number is the reference)."""
    return (
        RegistryChange.objects.filter(
            Q(source__istartswith=VERIVALI_SOURCE_PREFIX) | Q(reference__icontains="verivali")
        )
        .select_related("household__village")
        .order_by("at", "pk")
    )


def proposal_rows(changes: Iterable[RegistryChange]) -> Iterator[list]:
    """One row per member of each changed household, as the ministry's proposal lists persons."""
    changes = list(changes)
    members: dict[int, list[Person]] = {}
    for person in Person.objects.filter(
        household__in={c.household_id for c in changes}, anonymised_at__isnull=True
    ).order_by("pk"):
        members.setdefault(person.household_id, []).append(person)
    for change in changes:
        household: Household = change.household
        batch = change.source[len(VERIVALI_SOURCE_PREFIX):] if change.source.upper().startswith(
            VERIVALI_SOURCE_PREFIX) else change.source  # fmt: skip
        for person in members.get(household.pk, []):
            yield [
                person.nik or "", household.kk_number or "", person.full_name, household.address,
                household.village.code, proposal_type(change), batch, change.reference,
                change.at.date().isoformat(),
            ]  # fmt: skip
