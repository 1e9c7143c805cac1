"""The office's identity as every letter, report and page shows it: the administrator's
``OfficeIdentity`` row, with the settings (``OFFICE_NAME``, ``OFFICE_ADDRESS``,
``OFFICE_REGENCY``, ``OFFICE_CITY``, ``OFFICE_HEAD_NAME``, ``OFFICE_HEAD_NIP``) for what it
leaves empty. One query; pages get it lazily through the context processor."""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models.fields.files import FieldFile

from pandu.models import OfficeIdentity
from pandu.numbering import number_format

_REGENT = {"KABUPATEN": "Bupati", "KOTA": "Wali Kota"}


@dataclass(frozen=True)
class Office:
    name: str
    address: str
    regency_code: str
    regency_name: str
    city: str
    agency: str
    head_name: str
    head_nip: str
    logo: FieldFile | None
    logo_version: str
    ticket_number_format: str
    referral_number_format: str
    recommendation_number_format: str
    complaint_number_format: str
    observes_joint_leave: bool

    @property
    def regency_digits(self) -> str:
        """The regency as the first four digits of its residents' NIK and KK numbers ("6403")."""
        return self.regency_code.replace(".", "")

    @property
    def government(self) -> str:
        """The letterhead's first line: PEMERINTAH KABUPATEN BERAU."""
        return f"PEMERINTAH {self.regency_name}".upper() if self.regency_name else ""

    @property
    def regent(self) -> str:
        """Who a recommendation is addressed to: Bupati Berau, or Wali Kota Samarinda for a city."""
        first, _space, rest = self.regency_name.partition(" ")
        title = _REGENT.get(first.upper())
        return f"{title} {rest}" if title else f"Bupati {self.regency_name}".strip()

    @property
    def head_title(self) -> str:
        """Kepala Dinas Sosial Kabupaten Berau."""
        return f"Kepala {self.agency} {self.regency_name}".strip()

    def logo_data_uri(self) -> str:
        """The logo inside a letter (letters are rendered offline, so no URL), or ""."""
        if not self.logo:
            return ""
        try:
            with self.logo.open("rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            return ""
        return "data:image/png;base64," + base64.b64encode(data).decode()

    def ticket_number(self, *, prefix: str, seq: int, day: datetime.date) -> str:
        return number_format(self.ticket_number_format, seq=seq, day=day, prefix=prefix)

    def referral_number(self, *, seq: int, day: datetime.date) -> str:
        return number_format(self.referral_number_format, seq=seq, day=day)

    def recommendation_number(self, *, seq: int, day: datetime.date) -> str:
        return number_format(self.recommendation_number_format, seq=seq, day=day)

    def complaint_number(self, *, seq: int, day: datetime.date) -> str:
        return number_format(self.complaint_number_format, seq=seq, day=day)


def office_identity() -> Office:
    row = OfficeIdentity.objects.filter(pk=OfficeIdentity.SINGLETON_PK).first() or OfficeIdentity()
    return Office(
        name=row.name or settings.OFFICE_NAME,
        address=row.address or settings.OFFICE_ADDRESS,
        regency_code=row.regency_code or settings.OFFICE_REGENCY,
        regency_name=row.regency_name,
        city=row.city or settings.OFFICE_CITY,
        agency=row.agency,
        head_name=row.head_name or settings.OFFICE_HEAD_NAME,
        head_nip=row.head_nip or settings.OFFICE_HEAD_NIP,
        logo=row.logo or None,
        logo_version=f"{row.updated_at:%Y%m%d%H%M%S}" if row.logo and row.updated_at else "",
        ticket_number_format=row.ticket_number_format,
        referral_number_format=row.referral_number_format,
        recommendation_number_format=row.recommendation_number_format,
        complaint_number_format=row.complaint_number_format,
        observes_joint_leave=row.observes_joint_leave,
    )


def office_regency_set(*, code: str, name: str) -> None:
    """The regency whose regions were just loaded becomes the office's; its name as the national
    list writes it, unless the administrator wrote it otherwise for the same regency."""
    row, _created = OfficeIdentity.objects.get_or_create(pk=OfficeIdentity.SINGLETON_PK)
    if row.regency_code != code or not row.regency_name:
        row.regency_code, row.regency_name = code, name
        row.save(update_fields=["regency_code", "regency_name", "updated_at"])
