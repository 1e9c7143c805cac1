"""The head's dashboard on a streaming replica while a registry import writes on the primary.

Reuses the dashboard benchmark's 1,000,000 persons and 500,000 referrals. Makes a replica of
the embedded server with PostgreSQL's own ``pg_basebackup -R`` (under .bench/replica), then
starts a registry import of 200,000 new persons on the primary (``manage.py import_registry``,
another process) and, while it runs, times ``dashboard_data`` (whole district, 12 months)
on the replica and, alternately, on the primary: the baseline is the primary under the same
import. The replica's lag during the import is recorded. Needs the embedded server (not
BENCH_DATABASE_URL): the replica is made from its data directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.bench_import_registry import BENCH_DIR
from bench.common import Line, median

ROOT = Path(__file__).resolve().parents[1]
IMPORT_PERSONS = 200_000


def _replica_alias(url: str) -> None:
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    configured = connections.configure_settings({"default": connections.settings["default"],
                                                 "replica": dj_database_url.parse(url)})
    connections.settings["replica"] = configured["replica"]
    settings.DATABASES["replica"] = configured["replica"]


def _timed_dashboard(flt, *, on_replica: bool) -> float:
    from contextlib import nullcontext

    from pandu import replica
    from pandu.office.dashboard import dashboard_data

    started = time.perf_counter()
    with replica.reading_reports() if on_replica else nullcontext():
        dashboard_data(flt)
    return (time.perf_counter() - started) * 1000


def run(scale: float) -> list[Line]:
    from bench.bench_dashboard import REFERRALS, _ensure_referrals
    from bench.bench_import_registry import generate
    from bench.bench_search import _ensure_persons
    from pandu import embedded_db, replica
    from pandu.office.dashboard import DashboardFilter

    if os.environ.get("BENCH_DATABASE_URL"):
        return [Line("replica: made from the embedded server's data directory; not with BENCH_DATABASE_URL", True)]
    persons, _ = _ensure_persons(int(1_000_000 * scale))
    _ensure_referrals(int(REFERRALS * scale))
    count = max(2000, int(IMPORT_PERSONS * scale))
    path, sample = BENCH_DIR / f"replica_import_{count}.csv", BENCH_DIR / f"replica_import_{count}_sample.csv"
    if not path.exists():
        generate(path, sample, count)

    replica_pgdata = BENCH_DIR / "replica"
    if (replica_pgdata / "PG_VERSION").exists():
        embedded_db.stop_server(replica_pgdata)
    shutil.rmtree(replica_pgdata, ignore_errors=True)
    started = time.perf_counter()
    url = embedded_db.standby(embedded_db.PGDATA, replica_pgdata).format(database="pandu_bench")
    made_seconds = time.perf_counter() - started
    try:
        _replica_alias(url)
        flt = DashboardFilter.default()
        flt.date_from = flt.date_to.replace(year=flt.date_to.year - 1)
        for on_replica in (True, False):  # warm both servers' caches
            _timed_dashboard(flt, on_replica=on_replica)
        idle_replica = median([_timed_dashboard(flt, on_replica=True) for _ in range(3)])
        idle_primary = median([_timed_dashboard(flt, on_replica=False) for _ in range(3)])

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pandu.settings"}
        importer = subprocess.Popen([sys.executable, "manage.py", "import_registry", str(path)], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        import_started = time.perf_counter()
        on_replica_ms, on_primary_ms, lags = [], [], []
        while importer.poll() is None:
            on_replica_ms.append(_timed_dashboard(flt, on_replica=True))
            if importer.poll() is not None:
                break
            on_primary_ms.append(_timed_dashboard(flt, on_replica=False))
            lags.append(replica.check_replica().lag_seconds or 0.0)
        import_seconds = time.perf_counter() - import_started
        output = importer.stdout.read().decode(errors="replace").strip().splitlines()
    finally:
        embedded_db.stop_server(replica_pgdata)
        shutil.rmtree(replica_pgdata, ignore_errors=True)

    lines = [
        Line(f"replica of the bench server made with pg_basebackup -R in {made_seconds:.0f} s "
             f"({persons:,} persons, {int(REFERRALS * scale):,} referrals)", True),
        Line(f"registry import of {count:,} persons on the primary meanwhile: {import_seconds:.0f} s "
             f"({output[-1] if output else 'no output'})", importer.returncode == 0),
    ]
    if on_replica_ms and on_primary_ms:
        ratio = median(on_primary_ms) / median(on_replica_ms)
        lines.append(Line(
            f"dashboard, whole district, 12 months, during the import: on the replica median "
            f"{median(on_replica_ms):.0f} ms, max {max(on_replica_ms):.0f} ms ({len(on_replica_ms)} runs); "
            f"baseline on the primary median {median(on_primary_ms):.0f} ms → ratio {ratio:.2f}×; "
            f"idle: replica {idle_replica:.0f} ms, primary {idle_primary:.0f} ms; "
            f"replica lag during the import max {max(lags):.1f} s", True))
    else:
        lines.append(Line("the import ended before the dashboard could be timed during it", False))
    return lines
