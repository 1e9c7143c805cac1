"""The office's daily work, run by the job workers (pandu/jobs.py) at night, the office's time.

- retention: the attachments of closed cases and the photos of decreed verivali batches past
  ``RETENTION_DAYS`` (``pandu/office/retention.py``; the same as ``manage.py apply_retention``).
- counters: the dashboard's counters compared with a full count (``manage.py recount
  --check``); if a cell differs, the differences are logged as errors and the counters
  rebuilt (``manage.py recount``).

- quotas: places of beneficiaries recorded as deceased or moved away are freed, and free
  places of the current period (a new year's) are offered to the waiting lists
  (``referrals.services.quota_upkeep``).

- the monthly report: at 01:00 every day, last month's report is made as a draft if it is not
  in the archive yet, so it is there on the first day of the month (``pandu/office/reports.py``);
  a report asked for on its page is made by ``make_monthly_report``.

All are safe to run twice: retention counts each file once, a rebuild gives the same rows, a
report in the archive is not made again by the monthly run.
"""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth import get_user_model

from pandu import counters, jobs
from pandu.office import reports, retention
from referrals import services as referral_services

logger = logging.getLogger(__name__)


@jobs.periodic(cron=jobs.daily("02:30"))
def apply_retention() -> str:
    return retention.retention_apply().summary


@jobs.periodic(cron=jobs.daily("02:00"))
def quota_upkeep() -> str:
    return referral_services.quota_upkeep()


@jobs.periodic(cron=jobs.daily("03:30"))
def check_counters() -> str:
    wrong = counters.differences()
    if not wrong:
        return "counters exact"
    for line in wrong:
        logger.error("counter differs from a full count: %s", line)
    counters.recount()
    return f"{len(wrong)} counter cells differed from a full count; rebuilt"


@jobs.periodic(cron=jobs.daily("01:00"))
def monthly_report() -> str:
    """On the first day of each month (and on any later day while it is missing): last month's
    report, as a draft for the head (``pandu/office/reports.py``)."""
    return reports.report_of_last_month()


@jobs.task(lock="pandu.office.tasks.make_monthly_report")
def make_monthly_report(*, month: str, requested_by: int | None = None) -> str:
    """A month's report made on request (its draft made again when it has one); one at a time."""
    user = get_user_model().objects.filter(pk=requested_by).first() if requested_by else None
    report = reports.report_make(month=datetime.date.fromisoformat(month), requested_by=user)
    return f"the report of {report.month:%Y-%m}: {report.status}"
