"""Background work of the clients app, run by the job workers (pandu/jobs.py)."""

from __future__ import annotations

from clients.duplicates.detection import duplicates_check
from clients.registry.jobs import import_job_requeue, import_job_run
from clients.services import search_names_prune
from pandu import jobs

# One duplicate check at a time: a second waits for the first (the check is idempotent).
DUPLICATES_LOCK = "clients.duplicates_check"


@jobs.task(takes_attempt=True)
def registry_import_job(*, job_id: int, attempt: int = 1) -> str:
    """The next step of a browser upload: its check, or its import. Run again (its worker died,
    or an error ended it), an import left running starts over: it rolled back. An import that
    saved rows is followed by the duplicate check."""
    import_job_requeue(job_id=job_id, attempt=attempt)
    result = import_job_run(job_id=job_id)
    if result is not None and result.saved:
        jobs.enqueue(duplicates_check_job)
    return result.summary_line() if result else "nothing to do"


@jobs.task(lock=DUPLICATES_LOCK)
def duplicates_check_job() -> str:
    """The registry-wide duplicate check (clients.duplicates.detection), after an import."""
    return duplicates_check().summary_line()


@jobs.periodic(cron=jobs.daily("01:30"))
def duplicates_check_nightly() -> str:
    """The registry-wide duplicate check, every night."""
    return duplicates_check().summary_line()


@jobs.periodic(cron=jobs.daily("02:15"))
def search_names_prune_nightly() -> str:
    """Forget the search names and words nobody holds any more, every night."""
    names, words = search_names_prune()
    return f"search names removed={names} words removed={words}"
