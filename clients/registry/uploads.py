"""Browser uploads of registry files: store the file and queue its check, queue its import
when the officer asks, queue a failed step again. The work itself is clients/registry/jobs.py,
run by a job worker (clients/tasks.py)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from clients.models import ImportJob
from clients.tasks import registry_import_job
from pandu import jobs


@transaction.atomic
def import_job_create(*, user, upload, source: str = "", language: str = "id") -> ImportJob:
    job = ImportJob(original_name=Path(upload.name).name[:255], source=source.strip()[:60], created_by=user,
                    language=language)  # fmt: skip
    job.file.save(
        f"registry-{timezone.now():%Y%m%d-%H%M%S}{Path(upload.name).suffix.lower()}",
        upload,
        save=False,
    )
    job.save()
    jobs.enqueue(registry_import_job, job_id=job.pk)
    return job


@transaction.atomic
def import_job_start(*, job: ImportJob, user) -> bool:
    """Queue the import of a checked file. False when it is not (or no longer) waiting."""
    started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED).update(
        status=ImportJob.Status.QUEUED, stage="", rows_done=0, updated_at=timezone.now()
    )
    if started:
        jobs.enqueue(registry_import_job, job_id=job.pk)
    return bool(started)


@transaction.atomic
def import_job_retry(*, job: ImportJob) -> bool:
    """Queue the failed step of a job again: its check, or its import when the check had
    passed. False when the job has not (or no longer) failed, so a second click does nothing."""
    retried = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.FAILED).update(
        status=Case(When(preview_line="", then=Value(ImportJob.Status.CHECKING)),
                    default=Value(ImportJob.Status.QUEUED)),
        error_message="", stage="", rows_done=0, finished_at=None, updated_at=timezone.now(),
    )  # fmt: skip
    if retried:
        jobs.enqueue(registry_import_job, job_id=job.pk)
    return bool(retried)


def imports_past_retention(*, finished_before) -> QuerySet[ImportJob]:
    """Imports that are over (or were checked and left) before the date and still keep a file,
    an error report or preview rows."""
    return ImportJob.objects.exclude(status__in=ImportJob.ACTIVE).filter(updated_at__lt=finished_before).filter(
        ~Q(file="") | ~Q(error_report="") | ~Q(preview_rejected=[])
    )


def import_files_remove(*, job: ImportJob) -> bool:
    """Delete the job's stored files, then empty its file fields and preview rows; False when
    another run did it first (the job keeps its counts and result line)."""
    for fieldfile in (job.file, job.error_report):
        if fieldfile:
            fieldfile.storage.delete(fieldfile.name)
    return bool(
        ImportJob.objects.filter(pk=job.pk, file=job.file.name or "", error_report=job.error_report.name or "")
        .update(file="", error_report="", preview_rejected=[])
    )
