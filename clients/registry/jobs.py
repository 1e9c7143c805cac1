"""Browser uploads of registry files: create the job, start it in the background, run it.

The web request only stores the file and enqueues (in ``transaction.on_commit``) a detached
``manage.py import_registry --job ID`` process. That process first checks the file (a dry
run: counts and the first rejected rows), and imports it when the officer asks. While the
import's own transaction is open, progress goes through a second, autocommit connection so
the page that polls it sees it.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.utils import timezone, translation

from clients.models import ImportJob
from clients.registry.importer import registry_import
from pandu.audit import audit_record
from pandu.models import AuditEvent

logger = logging.getLogger(__name__)
PREVIEW_ROWS = 20


def _launch(job_id: int) -> None:
    """A detached process, so the import outlives the web request (and a server reload)."""
    log_dir = Path(settings.MEDIA_ROOT) / "private" / "imports"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / f"import-job-{job_id}.log", "ab")  # noqa: SIM115
    subprocess.Popen(
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "import_registry",
            "--job",
            str(job_id),
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=os.environ.copy(),
        cwd=settings.BASE_DIR,
    )
    log.close()


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
    transaction.on_commit(lambda: _launch(job.pk))
    return job


def import_job_start(*, job: ImportJob, user) -> bool:
    """Queue the import of a checked file. False when it is not (or no longer) waiting."""
    with transaction.atomic():
        started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED).update(
            status=ImportJob.Status.QUEUED, stage="", rows_done=0, updated_at=timezone.now()
        )
        if started:
            transaction.on_commit(lambda: _launch(job.pk))
    return bool(started)


class _ProgressWriter:
    """Writes the job's stage and row count through its own autocommit connection."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.connection = connections.create_connection("default")
        self.last = 0.0

    def __call__(self, stage: str, done: int) -> None:
        now = time.monotonic()
        if stage == "read" and now - self.last < 1.0:
            return
        self.last = now
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET stage = %s, rows_done = %s, updated_at = now() WHERE id = %s",
                [stage, done, self.job_id],
            )

    def close(self) -> None:
        self.connection.close()


def import_job_run(*, job_id: int):
    """Run the next step of a job: the check (dry run) or the import. Called by the command."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return None
    if job.status == ImportJob.Status.CHECKING:
        dry_run = True
    elif ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    ):
        dry_run = False
    else:
        return None  # already run by another process
    progress = _ProgressWriter(job.pk)
    today = timezone.localdate()
    try:
        with translation.override(job.language):
            result = registry_import(
                job.file.path, source=job.source, dry_run=dry_run, user=job.created_by,
                reference=f"import #{job.pk}: {job.original_name}", progress=progress, today=today,
            )  # fmt: skip
            report = io.StringIO()
            result.write_errors(report, today=today)
            rejected = [
                {"line": item.line, "reasons": result.reasons(item, today=today)}
                for item in result.rejected[:PREVIEW_ROWS]
            ]
    except Exception as error:  # the job records any failure; the import itself rolled back
        logger.exception("registry import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            error_message=str(error)[:2000],
            finished_at=timezone.now(),
        )
        return None
    finally:
        progress.close()
    job.refresh_from_db()
    if job.error_report:
        job.error_report.delete(save=False)
    if result.rejected:
        job.error_report.save(
            f"registry-{job.pk}-errors.csv", ContentFile(report.getvalue().encode()), save=False
        )
    job.rows_total = result.rows
    job.rows_done = result.rows
    if dry_run:
        job.status, job.preview_line, job.preview_rejected = (
            ImportJob.Status.CHECKED,
            result.summary_line(),
            rejected,
        )
    else:
        job.status, job.result_line, job.finished_at = (
            ImportJob.Status.DONE,
            result.summary_line(),
            timezone.now(),
        )
        audit_record(
            user=job.created_by, action=AuditEvent.Action.IMPORT, obj=job, summary=result.summary_line(),
            detail={"file": job.original_name, "source": job.source, "rows": result.rows,
                    "rejected": result.rejected_count},
        )  # fmt: skip
    job.save()
    return result
