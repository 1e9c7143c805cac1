"""The work of a browser upload of a registry file, run by a job worker (clients/tasks.py).

A job is first checked (a dry run: counts and the first rejected rows), and imported when the
officer asks (clients/registry/uploads.py queues each step). While the import's own
transaction is open, progress goes through a second, autocommit connection so the page that
polls it sees it.

Each step is safe to run again. The import, its job's DONE state, its error report and its
audit row are one transaction: if the worker dies halfway, nothing of it stays, and the
queue runs the job again (``import_job_requeue``). A transaction-scoped advisory lock on the
job makes a second run wait for a first one still in the database, then find it done.
"""

from __future__ import annotations

import io
import logging
import time

from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.models import ImportJob
from clients.registry.importer import registry_import
from pandu.audit import audit_record
from pandu.models import AuditEvent

logger = logging.getLogger(__name__)
PREVIEW_ROWS = 20
# A step is run at most this many times (its worker died, or an error ended it), then FAILED.
MAX_ATTEMPTS = 3


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


def import_job_requeue(*, job_id: int, attempt: int) -> bool:
    """The job's step runs again (``attempt`` > 1): its worker stopped, or an error ended it
    before it could record one. An import left RUNNING rolled back with its transaction, so it
    is QUEUED again; a step that stopped ``MAX_ATTEMPTS`` times is FAILED instead. True when
    the job was changed."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or attempt <= 1:
        return False
    if attempt > MAX_ATTEMPTS:
        with translation.override(job.language):
            message = _("The work on this file stopped %(count)s times before it ended (the server "
                        "ran out of memory or was restarted). Try again, or split the file.") % {
                "count": attempt - 1}  # fmt: skip
        return bool(
            ImportJob.objects.filter(pk=job_id, status__in=[ImportJob.Status.CHECKING, ImportJob.Status.RUNNING])
            .update(status=ImportJob.Status.FAILED, error_message=message, finished_at=timezone.now(),
                    updated_at=timezone.now())
        )  # fmt: skip
    requeued = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.QUEUED, stage="", rows_done=0, updated_at=timezone.now()
    )
    if requeued:
        logger.warning("registry import job %s runs again (attempt %s)", job_id, attempt)
    return bool(requeued)


def _wait_for_earlier_runs(job_id: int) -> None:
    """Held until the transaction ends. An earlier run of the same job whose session is still
    open in the database (its worker gone, its connection not yet closed) ends first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('clients.importjob'), %s)", [job_id])


def import_job_run(*, job_id: int):
    """Run the next step of a job: the check (dry run) of a CHECKING job, the import of a
    QUEUED one. Anything else has been done (or is being done) by another run: nothing."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return None
    if job.status == ImportJob.Status.CHECKING:
        dry_run, step = True, ImportJob.Status.CHECKING
    elif ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    ):
        dry_run, step = False, ImportJob.Status.RUNNING
    else:
        return None
    progress = _ProgressWriter(job.pk)
    today = timezone.localdate()
    try:
        with transaction.atomic(), translation.override(job.language):
            _wait_for_earlier_runs(job.pk)
            if not ImportJob.objects.filter(pk=job.pk, status=step).exists():
                return None  # an earlier run finished it meanwhile
            result = registry_import(
                job.file.path, source=job.source, dry_run=dry_run, user=job.created_by,
                reference=f"import #{job.pk}: {job.original_name}", progress=progress, today=today,
            )  # fmt: skip
            _record(job, result, step=step, today=today)
    except Exception as error:  # the job records any failure; the import itself rolled back
        logger.exception("registry import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk, status=step).update(
            status=ImportJob.Status.FAILED,
            error_message=str(error)[:2000],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return None
    finally:
        progress.close()
    return result


def _record(job: ImportJob, result, *, step: str, today) -> None:
    """The step's outcome on the job (and an import's audit row), in the step's transaction."""
    report = io.StringIO()
    result.write_errors(report, today=today)
    job.refresh_from_db()
    if job.error_report:
        job.error_report.delete(save=False)
    if result.rejected:
        job.error_report.save(
            f"registry-{job.pk}-errors.csv", ContentFile(report.getvalue().encode()), save=False
        )
    job.rows_total = job.rows_done = result.rows
    if step == ImportJob.Status.CHECKING:
        job.status, job.preview_line = ImportJob.Status.CHECKED, result.summary_line()
        job.preview_rejected = [
            {"line": item.line, "reasons": result.reasons(item, today=today)}
            for item in result.rejected[:PREVIEW_ROWS]
        ]
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
