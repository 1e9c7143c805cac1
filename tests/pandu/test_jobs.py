"""The job queue's core (pandu/jobs.py) and the office's periodic work on it."""

import logging
import re
from pathlib import Path

import pytest
from django.db import connection, transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from clients.tasks import registry_import_job
from pandu import jobs
from pandu.counters import differences
from pandu.models import AuditEvent
from pandu.office import tasks as periodic_tasks
from tests import factories


def test_the_periodic_tasks_are_registered_with_their_schedules():
    assert jobs.schedules() == {
        "pandu.jobs.retry_stalled_jobs": "* * * * *",  # every minute
        "pandu.office.tasks.apply_retention": "30 18 * * *",  # 02:30 in Berau (WITA, UTC+8)
        "pandu.office.tasks.check_counters": "30 19 * * *",  # 03:30
        "pandu.office.tasks.quota_upkeep": "0 18 * * *",  # 02:00
        "pandu.office.tasks.monthly_report": "0 17 * * *",  # 01:00: last month's report on the 1st
        "api.tasks.purge_idempotency_keys": "45 19 * * *",  # 03:45
        "clients.tasks.duplicates_check_nightly": "30 17 * * *",  # 01:30
        "clients.tasks.search_names_prune_nightly": "15 18 * * *",  # 02:15
    }


@pytest.mark.parametrize(("at", "cron"), [("02:30", "30 18 * * *"), ("08:00", "0 0 * * *"), ("07:59", "59 23 * * *")])
def test_daily_is_the_offices_time_in_utc(at, cron):
    assert jobs.daily(at) == cron


@pytest.mark.django_db
def test_work_is_queued_when_the_transaction_commits_and_never_when_it_rolls_back(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), \
            transaction.atomic():  # fmt: skip
        jobs.enqueue(registry_import_job, job_id=1)
        raise RuntimeError
    assert callbacks == [] and not ProcrastinateJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        jobs.enqueue(registry_import_job, job_id=2)
        assert not ProcrastinateJob.objects.exists()  # not before the commit
    callbacks[0]()
    queued = ProcrastinateJob.objects.get()
    assert (queued.task_name, queued.args, queued.status, queued.queue_name) == (
        "clients.tasks.registry_import_job", {"job_id": 2}, "todo", "pandu",
    )  # fmt: skip


@pytest.mark.django_db
def test_the_counters_check_rebuilds_a_wrong_counter_and_logs_it(reference_data, caplog):
    factories.PersonFactory(household=factories.HouseholdFactory())
    assert periodic_tasks.check_counters(timestamp=0) == "counters exact"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clients_registrycount SET persons = persons + 5")
    with caplog.at_level(logging.ERROR, logger="pandu.office.tasks"):
        assert periodic_tasks.check_counters(timestamp=0) == "1 counter cells differed from a full count; rebuilt"
    assert "counter differs from a full count: registry" in caplog.text
    assert differences() == []


@pytest.mark.django_db
def test_the_daily_retention_is_the_apply_retention_command(settings):
    settings.RETENTION_DAYS = 730
    summary = periodic_tasks.apply_retention(timestamp=0)
    assert summary.startswith("retention 730 days") and "removed 0 referral attachments" in summary
    assert AuditEvent.objects.filter(detail__command="apply_retention").count() == 1


def test_only_the_core_wrapper_imports_procrastinate_and_it_imports_no_app():
    root = Path(__file__).resolve().parents[2]
    importing = sorted(
        str(path.relative_to(root))
        for folder in ("pandu", "clients", "desks", "referrals", "verivali", "scripts")
        for path in (root / folder).rglob("*.py")
        if re.search(r"^\s*(from|import) procrastinate\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert importing == ["pandu/jobs.py"]
    wrapper = (root / "pandu" / "jobs.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import) (clients|desks|referrals|verivali)\b", wrapper, re.MULTILINE)
