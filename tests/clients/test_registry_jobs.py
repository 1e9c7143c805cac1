"""A browser upload's work in the job queue: run again after its worker died, it happens once."""

import os
import signal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from clients.models import Household, ImportJob, Person, RegistryChange
from clients.registry.jobs import MAX_ATTEMPTS, import_job_requeue
from clients.registry.uploads import import_job_create, import_job_start
from clients.tasks import registry_import_job
from pandu import jobs
from pandu.models import AuditEvent
from tests import factories, workers

FIXTURE = Path(__file__).parent / "fixtures" / "registry_dirty.csv"
SUMMARY = "households created=3 updated=0; persons created=8 updated=0; rejected=23"


@pytest.fixture
def data_officer(reference_data):
    return factories.user_with_role("data_officer", username="dewi")


def _status(job) -> str:
    return ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)


def _waiting_for_households() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE relation = 'clients_household'::regclass AND NOT granted")
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_a_job_another_worker_completes_exactly_once(data_officer, tmp_path):
    workers.empty_queue()
    upload = SimpleUploadedFile("ppls.csv", FIXTURE.read_bytes(), content_type="text/csv")
    job = import_job_create(user=data_officer, upload=upload, source="PPLS2011")
    log = tmp_path / "workers.log"
    first = workers.start_worker(log)
    try:
        workers.wait_for(lambda: _status(job) == "checked", what="the first worker to check the file")
        # Another session holds the households table: the import blocks on its first write, inside
        # its transaction, with the job RUNNING. Then its worker is killed.
        blocker = connections.create_connection("default")
        try:
            blocker.set_autocommit(False)
            with blocker.cursor() as cursor:
                cursor.execute("LOCK TABLE clients_household IN SHARE MODE")
            import_job_start(job=job, user=data_officer)
            workers.wait_for(_waiting_for_households, what="the import to reach the households")
            assert _status(job) == "running"
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            blocker.rollback()  # the dead worker's session can now end (and roll back)
            blocker.close()
    finally:
        workers.stop_worker(first)
    assert Person.objects.count() == 0 and _status(job) == "running"

    with workers.worker_process(log):
        workers.wait_for(lambda: _status(job) == "done", what="a second worker to run the import again", timeout=120)
    job.refresh_from_db()
    assert job.result_line == SUMMARY  # all of it written by the second run: the first left nothing
    assert Household.objects.count() == 3 and Person.objects.count() == 8
    assert RegistryChange.objects.filter(reference=f"import #{job.pk}: ppls.csv").count() == 3
    assert AuditEvent.objects.filter(action="import").count() == 1
    output = log.read_text()
    assert "was running in a worker that stopped; queued again" in output
    assert f"registry import job {job.pk} runs again (attempt 2)" in output
    workers.empty_queue()


@pytest.mark.django_db(transaction=True)
def test_the_job_queued_again_after_the_import_is_done_does_nothing(data_officer):
    workers.empty_queue()
    upload = SimpleUploadedFile("ppls.csv", FIXTURE.read_bytes(), content_type="text/csv")
    job = import_job_create(user=data_officer, upload=upload, source="PPLS2011")
    workers.run_queued_jobs()
    import_job_start(job=job, user=data_officer)
    workers.run_queued_jobs()
    assert _status(job) == "done"
    jobs.enqueue(registry_import_job, job_id=job.pk)  # a retry arriving late, or a duplicate
    workers.run_queued_jobs()
    assert _status(job) == "done" and Person.objects.count() == 8
    assert AuditEvent.objects.filter(action="import").count() == 1
    workers.empty_queue()


def _job(user, status: str) -> ImportJob:
    return ImportJob.objects.create(original_name="x.csv", file="imports/x.csv", created_by=user, status=status,
                                    stage="persons", rows_done=10)  # fmt: skip


def test_an_import_left_running_is_queued_again_only_when_its_job_runs_again(data_officer):
    job = _job(data_officer, "running")
    assert not import_job_requeue(job_id=job.pk, attempt=1)  # the first run: another worker may be on it
    assert _status(job) == "running"
    assert import_job_requeue(job_id=job.pk, attempt=2)
    job.refresh_from_db()
    assert (job.status, job.stage, job.rows_done) == ("queued", "", 0)


@pytest.mark.parametrize("status", ["checked", "queued", "done", "failed"])
def test_running_again_leaves_a_job_that_is_not_running_as_it_is(data_officer, status):
    job = _job(data_officer, status)
    assert not import_job_requeue(job_id=job.pk, attempt=2)
    assert _status(job) == status


def test_a_step_that_stopped_too_often_fails_with_a_message(data_officer):
    job = _job(data_officer, "running")
    assert import_job_requeue(job_id=job.pk, attempt=MAX_ATTEMPTS + 1)
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.error_message.startswith(f"Pengerjaan berkas ini terhenti {MAX_ATTEMPTS} kali")
