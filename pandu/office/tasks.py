"""The office's daily work, run by the job workers (pandu/jobs.py) at night, the office's time.

- retention: the attachments of closed cases and the photos of decreed verivali batches past
  ``RETENTION_DAYS`` (``pandu/office/retention.py``; the same as ``manage.py apply_retention``).
- counters: the dashboard's counters compared with a full count (``manage.py recount
  --check``); if a cell differs, the differences are logged as errors and the counters
  rebuilt (``manage.py recount``).

- quotas: places of beneficiaries recorded as deceased or moved away are freed, and free
  places of the current period (a new year's) are offered to the waiting lists
  (``referrals.services.quota_upkeep``).

All are safe to run twice: retention counts each file once, a rebuild gives the same rows.
"""

from __future__ import annotations

import logging

from pandu import counters, jobs
from pandu.office import retention
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
