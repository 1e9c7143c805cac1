"""Background work: the one module that knows the job queue is Procrastinate.

An app declares its tasks in ``<app>/tasks.py`` with :func:`task` and puts work in the queue
with :func:`enqueue`, which writes the job once the caller's transaction commits (a job never
refers to rows that were rolled back). Periodic work is declared with :func:`periodic`.
Nothing else in Pandu imports ``procrastinate``: a move to Django's own tasks framework
(``django.tasks``) later touches this one file.

The jobs are rows in PostgreSQL (the ``procrastinate_*`` tables, created by ``migrate``). A
worker (``manage.py procrastinate worker``; ``make run`` starts one) takes a job with ``SELECT …
FOR UPDATE SKIP LOCKED``, so several workers on several machines share the one database and
no job is taken twice. Each worker writes a heartbeat every ``JOBS_HEARTBEAT_SECONDS``. A
worker that dies (``kill -9``, a power cut) leaves its job marked as running: the periodic
task :func:`retry_stalled_jobs` puts the jobs of workers silent for more than
``JOBS_STALLED_AFTER_SECONDS`` back in the queue, and another worker runs them again.

So every task must be idempotent: run twice (after an error, or after its worker died
halfway), it does its work once. A task that needs to know whether it runs again asks for
its ``attempt`` (1 the first time), as ``django.tasks``' context gives it.
"""

from __future__ import annotations

import datetime
import functools
import logging
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.db import connections, transaction
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)

QUEUE = "pandu"
# An error escaping a task (the database restarting, a bug): two more tries, 5 s and 25 s later.
RETRY = RetryStrategy(max_attempts=2, exponential_wait=5)


def _own_connections(call_next, context, worker):
    """A job's database connections end with it (as a request's do with CONN_MAX_AGE 0): an
    idle worker holds none, and a job never finds one its predecessor left in a transaction."""
    connections.close_all()
    try:
        return call_next()
    finally:
        connections.close_all()


def task(
    *, queue: str = QUEUE, retry: bool | int | RetryStrategy = True, takes_attempt: bool = False,
    lock: str | None = None,
) -> Callable:
    """Declare a function of ``<app>/tasks.py`` as background work. Its keyword arguments must
    be JSON (ids, not objects). ``retry=False``: an error is final; ``retry=backoff(...)``:
    more tries, further apart. ``takes_attempt``: the
    function gets ``attempt=`` (1 the first time). ``lock``: jobs with the same lock run one
    at a time."""

    def declare(func: Callable) -> Callable:
        run = func
        if takes_attempt:

            @functools.wraps(func)
            def run(context, **kwargs):
                return func(attempt=context.job.attempts + 1, **kwargs)

        return app.task(queue=queue, retry=RETRY if retry is True else retry, pass_context=takes_attempt,
                        lock=lock, task_middleware=[_own_connections])(run)  # fmt: skip

    return declare


def backoff(*, attempts: int, base_seconds: int) -> RetryStrategy:
    """For :func:`task`'s ``retry``: try again up to ``attempts`` more times, waiting
    ``base_seconds``, then its square, its cube… (5 s: 5 s, 25 s, 2 min, 10 min, 52 min, 4 h)."""
    return RetryStrategy(max_attempts=attempts, exponential_wait=base_seconds)


def enqueue(work: Callable, **kwargs) -> None:
    """Queue ``work`` (a :func:`task`) with these arguments when the current transaction
    commits (at once outside a transaction)."""
    transaction.on_commit(functools.partial(work.defer, **kwargs))


def periodic(*, cron: str, queue: str = QUEUE) -> Callable:
    """Declare a function (no arguments) that a worker queues on the schedule ``cron`` (five
    fields, UTC, as cron; a sixth for seconds). However many workers run, each tick is queued
    once, and a tick missed while no worker ran is queued when one starts within ten minutes."""

    def declare(func: Callable) -> Callable:
        @functools.wraps(func)
        def run(timestamp: int):
            return func()

        name = f"{func.__module__}.{func.__name__}"
        return app.periodic(cron=cron)(
            app.task(queue=queue, retry=False, queueing_lock=name, lock=name, task_middleware=[_own_connections])(run)
        )

    return declare


def daily(at: str) -> str:
    """The cron schedule of every day at ``at`` ("HH:MM"), the office's time (TIME_ZONE)."""
    hour, minute = (int(part) for part in at.split(":"))
    office = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    utc = office.replace(hour=hour, minute=minute).astimezone(datetime.UTC)
    return f"{utc.minute} {utc.hour} * * *"


def schedules() -> dict[str, str]:
    """Every periodic task's name and cron schedule (the workers' view: all task modules loaded)."""
    app.perform_import_paths()
    return {
        periodic_task.task.name: periodic_task.cron
        for periodic_task in app.periodic_registry.periodic_tasks.values()
    }


@app.periodic(cron=settings.JOBS_STALLED_CHECK_CRON)
@app.task(queue=QUEUE, pass_context=True, queueing_lock="pandu.jobs.retry_stalled_jobs",
          lock="pandu.jobs.retry_stalled_jobs")  # fmt: skip
async def retry_stalled_jobs(context, timestamp: int) -> int:
    """Put back in the queue the jobs of workers that stopped writing their heartbeat (one run
    at a time: its lock)."""
    manager = context.app.job_manager
    stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=settings.JOBS_STALLED_AFTER_SECONDS)
    for job in stalled:
        logger.warning("job %s (%s) was running in a worker that stopped; queued again", job.id, job.task_name)
        await manager.retry_job(job)
    return len(stalled)
