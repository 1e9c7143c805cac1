"""Retention: the stored files of finished work are deleted once the office no longer needs them.

After ``settings.RETENTION_DAYS`` (the head's decision, 730 by default):
- the attachments (scans of KTP, KK, letters) of a **closed case**: every referral of the
  case completed, rejected or cancelled, the last of them longer ago than the period;
- the survey photos (and thumbnails) of a verivali **batch approved by decree** longer ago
  than the period.

After ``settings.IMPORT_RETENTION_DAYS`` (90 by default): the uploaded file, the error report
and the preview rows of a **registry import that is over** (they hold whole rows with NIKs; the
registry itself holds what was imported). The job keeps its counts and result line.

The rows stay, with ``removed_at`` and a note, so a referral's page still shows that a
document was attached and an assessment that it had photos. Persons' and houses' photos are
not touched: they belong to a record that is still in use.

Each file is deleted first and its row updated after, with a conditional UPDATE: if the run
stops in between, the next run finds the row again and deleting a missing file is harmless;
two runs at once (a timer on two servers) count each file once. A run with ``dry_run`` only
reports. An applied run is recorded in the audit log.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.registry.uploads import import_files_remove, imports_past_retention
from pandu.audit import audit_record
from pandu.models import AuditEvent
from referrals.selectors import attachments_past_retention
from verivali.selectors import photos_past_retention

ATTACHMENT, PHOTO, IMPORT = "attachment", "photo", "import"


@dataclass(frozen=True)
class RemovedFile:
    """One row whose files the run removed (or would remove)."""

    kind: str  # ATTACHMENT or PHOTO
    pk: int
    label: str  # no personal data: ids, numbers and codes only
    size: int  # bytes on disk


@dataclass
class RetentionReport:
    days: int
    cutoff: datetime.datetime
    dry_run: bool
    removed: list[RemovedFile] = field(default_factory=list)

    def of(self, kind: str) -> list[RemovedFile]:
        return [item for item in self.removed if item.kind == kind]

    def size_of(self, kind: str) -> int:
        return sum(item.size for item in self.of(kind))

    @property
    def size(self) -> int:
        return sum(item.size for item in self.removed)

    @property
    def summary(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        text = (
            f"retention {self.days} days (before {timezone.localtime(self.cutoff):%Y-%m-%d}): {verb} "
            f"{len(self.of(ATTACHMENT))} referral attachments ({self.size_of(ATTACHMENT):,} bytes) "
            f"and {len(self.of(PHOTO))} survey photos ({self.size_of(PHOTO):,} bytes), "
            f"the files of {len(self.of(IMPORT))} registry imports ({self.size_of(IMPORT):,} bytes), "
            f"{self.size:,} bytes in all"
        )
        return f"dry run: {text}; nothing changed" if self.dry_run else text


def _stored_size(*files: FieldFile) -> int:
    size = 0
    for fieldfile in files:
        if not fieldfile:
            continue
        with contextlib.suppress(OSError):  # already gone: nothing left to count
            size += fieldfile.storage.size(fieldfile.name)
    return size


def _remove_files(obj: Model, file_fields: Iterable[str], *, at: datetime.datetime, note: str) -> bool:
    """Delete the object's files, then mark its row; False when another run marked it first."""
    for name in file_fields:
        fieldfile = getattr(obj, name)
        if fieldfile:
            fieldfile.storage.delete(fieldfile.name)
    updated = (
        type(obj)
        .objects.filter(pk=obj.pk, removed_at__isnull=True)
        .update(**dict.fromkeys(file_fields, ""), removed_at=at, removed_note=note[:255])
    )
    return updated == 1


def retention_apply(
    *, days: int | None = None, dry_run: bool = False, now: datetime.datetime | None = None
) -> RetentionReport:
    """Delete (or with ``dry_run`` only list) the files past the retention period."""
    days = settings.RETENTION_DAYS if days is None else days
    if days < 1:
        raise ImproperlyConfigured(f"The retention period (RETENTION_DAYS) must be at least 1 day, not {days}.")
    now = now or timezone.now()
    report = RetentionReport(days=days, cutoff=now - datetime.timedelta(days=days), dry_run=dry_run)
    with translation.override(settings.LANGUAGE_CODE):  # the note is read on the office's pages
        case_note = _("Removed by the retention rule, %(days)s days after the case was closed.") % {
            "days": days
        }
        batch_note = _(
            "Removed by the retention rule, %(days)s days after the verivali decree."
        ) % {"days": days}

    for attachment in attachments_past_retention(closed_before=report.cutoff):
        item = RemovedFile(
            ATTACHMENT,
            attachment.pk,
            f"attachment {attachment.pk} of referral {attachment.referral.number}",
            _stored_size(attachment.file),
        )
        if dry_run or _remove_files(attachment, ["file"], at=now, note=case_note):
            report.removed.append(item)

    for photo in photos_past_retention(approved_before=report.cutoff):
        item = RemovedFile(
            PHOTO,
            photo.pk,
            f"survey photo {photo.pk} ({photo.kind}) of assessment {photo.assessment_id}, "
            f"batch {photo.assessment.batch.code}",
            _stored_size(photo.image, photo.thumbnail),
        )
        if dry_run or _remove_files(photo, ["image", "thumbnail"], at=now, note=batch_note):
            report.removed.append(item)

    import_days = settings.IMPORT_RETENTION_DAYS
    for job in imports_past_retention(finished_before=now - datetime.timedelta(days=import_days)):
        item = RemovedFile(IMPORT, job.pk, f"registry import {job.pk}", _stored_size(job.file, job.error_report))
        if dry_run or import_files_remove(job=job):
            report.removed.append(item)

    if not dry_run:
        audit_record(
            user=None,
            action=AuditEvent.Action.CHANGE,
            summary=report.summary,
            detail={
                "command": "apply_retention",
                "days": days,
                "cutoff": report.cutoff.isoformat(),
                "attachments": [item.pk for item in report.of(ATTACHMENT)],
                "photos": [item.pk for item in report.of(PHOTO)],
                "imports": [item.pk for item in report.of(IMPORT)],
                "bytes": report.size,
            },
        )
    return report
