"""Background work of the clients app, run by the job workers (pandu/jobs.py)."""

from __future__ import annotations

from clients.registry.jobs import import_job_requeue, import_job_run
from pandu import jobs


@jobs.task(takes_attempt=True)
def registry_import_job(*, job_id: int, attempt: int = 1) -> str:
    """The next step of a browser upload: its check, or its import. Run again (its worker died,
    or an error ended it), an import left running starts over: it rolled back."""
    import_job_requeue(job_id=job_id, attempt=attempt)
    result = import_job_run(job_id=job_id)
    return result.summary_line() if result else "nothing to do"
