"""Job workers for tests: the real `manage.py procrastinate worker`, against the test database.

`run_queued_jobs()` runs what is queued in this process and returns when the queue is empty;
`worker_process()` starts a separate worker process, as the office's server runs one, with a
heartbeat fast enough for a test to see a worker die. Both need the test's rows committed
(`transactional_db`): a worker has its own connections."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# A heartbeat every half second; a worker silent for two seconds is dead; checked every second.
FAST_HEARTBEAT = {
    "JOBS_HEARTBEAT_SECONDS": "0.5",
    "JOBS_STALLED_AFTER_SECONDS": "2",
    "JOBS_STALLED_CHECK_CRON": "* * * * * *",
}


def empty_queue() -> None:
    """Procrastinate's tables are not Django's to flush between transactional tests."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"
        )


def run_queued_jobs() -> None:
    call_command("procrastinate", "worker", "--one-shot", "--no-listen-notify")


def worker_env(**extra: str) -> dict[str, str]:
    from pandu.backup import database_url_for

    env = {
        **os.environ,
        "DATABASE_URL": database_url_for(settings.DATABASES["default"]["NAME"]),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "INFO",
        **FAST_HEARTBEAT,
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start_worker(log: Path) -> subprocess.Popen:
    with open(log, "ab") as handle:
        return subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker"],
            cwd=ROOT, env=worker_env(), stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip


def stop_worker(process: subprocess.Popen) -> None:
    """SIGTERM: the worker finishes its job and leaves; SIGKILL if it has not within 30 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def worker_process(log: Path):
    process = start_worker(log)
    try:
        yield process
    finally:
        stop_worker(process)


def wait_for(condition, *, what: str, timeout: float = 60):
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.1)  # polling another process, not waiting for an effect under test
    return value
