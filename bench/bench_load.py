"""Front-desk pages under 20 concurrent users (locust on loopback): p95 < 50 ms, no errors
(DESIGN.md, Targets).

Starts gunicorn (production settings, 4 workers) on a free loopback port against the bench
database, runs locust headless for a bounded time, and reads its statistics. The officers
move at a fast officer's pace, 1–3 s between pages (bench/locustfile.py), and start two a
second, as a morning shift does. Baseline in the same run: the /health/ endpoint's p95 (a
request that does nothing but ask the database) at the same pace. Then the ceiling: the same
journey with 0.1–0.3 s between pages, with 2, 4, 8, … officers in steps of 15 s, until the p95
reaches 200 ms; the ceiling is the most pages per second a step served with its p95 under
200 ms. Then both again with two app servers (the officers dealt to them in turn, as a load
balancer does): on one 2-core machine (server, database and locust together) a second server
adds processes, not cores, so the lines show what it costs or gains there.

The persons' pages show what the family receives: before the run, a person programme holds
every fifth person and a household programme every fourth household (about 300,000
participations at 1,000,000 persons, as a district's KIS-PBI and PKH lists give).
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.contrib.auth.models import Group, User
from django.db import connection
from django.urls import reverse

from bench.common import Line, target_line
from clients.models import Participation, Programme
from desks.models import Desk

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".bench"
PASSWORD = "Bench-load-2026"
USERS = 20
CEILING_P95_MS = 200
STRESS_STEPS = (2, 4, 8, 12, 16, 20)
STRESS_SECONDS = 15


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sessions(secret_key: str) -> list[str]:
    """One logged-in session per simulated officer, stored like a real login's (signed with
    the app server's SECRET_KEY)."""
    from django.test.utils import override_settings

    with override_settings(SECRET_KEY=secret_key):
        return _make_sessions()


def _make_sessions() -> list[str]:
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore

    group, _ = Group.objects.get_or_create(name="front_desk")
    hashed = make_password(PASSWORD)
    keys = []
    for i in range(USERS):
        user, _ = User.objects.update_or_create(username=f"loadtest{i:02d}", defaults={"password": hashed})
        user.groups.add(group)
        store = SessionStore()
        store.update({"_auth_user_id": str(user.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                      "_auth_user_hash": user.get_session_auth_hash()})
        store.create()
        keys.append(store.session_key)
    return keys


def journey_paths() -> dict:
    """The journey's URLs; pages of other apps join when they exist."""
    from clients.models import Person

    registration = Desk.objects.get(code="REG")
    paths = {
        "home": reverse("home"),
        "desk": reverse("desks:desk", args=[registration.pk]),
        "issue": reverse("desks:issue_ticket", args=[registration.pk]),
        "call": reverse("desks:call_next", args=[registration.pk]),
    }
    from django.urls import NoReverseMatch

    try:
        paths["search"] = reverse("clients:search")  # a POST: the query never enters the URL
        paths["queries"] = ["siti aminah", "muhamad rizki", "6403", "nurhayati"]
        paths["persons"] = [reverse("clients:person_detail", args=[pk])
                            for pk in Person.objects.order_by("?").values_list("pk", flat=True)[:50]]
    except NoReverseMatch:
        pass
    return paths


def _p95(stats_csv: Path, name: str) -> tuple[float, int, int]:
    with stats_csv.open() as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == name:
                return float(row["95%"]), int(row["Request Count"]), int(row["Failure Count"])
    raise LookupError(name)


def _start_server(env: dict) -> tuple[subprocess.Popen, str]:
    port = _port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "pandu.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "4",
         "--access-logfile", "/dev/null", "--error-logfile", str(OUT / "gunicorn.log")],
        cwd=ROOT, env=env,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(host + "/health/", timeout=10).status_code == 200:
                return server, host
        except (requests.ConnectionError, requests.Timeout):
            pass
        if time.monotonic() > deadline:
            server.terminate()
            raise RuntimeError("gunicorn did not start")
        time.sleep(0.3)  # waiting for a starting server


def _locust(name: str, locustfile: str, *, users: int, spawn_rate: int, seconds: int, host: str, env: dict) -> Path:
    prefix = OUT / name
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / locustfile), "--headless",
         "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s", "--host", host, "--csv", str(prefix),
         "--only-summary", "--loglevel", "WARNING"],
        cwd=ROOT, check=False, capture_output=True, env=env,
    )
    return Path(f"{prefix}_stats.csv")


def _runs(servers: int, env: dict, paths: dict, sessions: list[str], scale: float) -> dict:
    """The health baseline, the officer pace and the stress steps against ``servers`` app servers
    (gunicorn, 4 workers each; the simulated officers are dealt to them in turn)."""
    started = [_start_server(env) for _ in range(servers)]
    hosts = [host for _server, host in started]
    runs = {}
    try:
        seconds = max(20, int(60 * scale))
        locust_env = {**os.environ, "PANDU_LOAD_PATHS": json.dumps(paths), "PANDU_LOAD_SESSIONS": json.dumps(sessions),
                      "PANDU_LOAD_HOSTS": json.dumps(hosts)}
        officer, stress = {**locust_env, "PANDU_LOAD_PACE": "officer"}, {**locust_env, "PANDU_LOAD_PACE": "stress"}
        if servers == 1:
            runs["load-health-1"] = (_locust("load-health-1", "locust_health.py", users=USERS, spawn_rate=2,
                                             seconds=15, host=hosts[0], env=officer), 15)
        runs[f"load-{servers}"] = (_locust(f"load-{servers}", "locustfile.py", users=USERS, spawn_rate=2,
                                           seconds=seconds, host=hosts[0], env=officer), seconds)
        steps = []
        for users in STRESS_STEPS:
            stats = _locust(f"load-stress-{servers}-{users}", "locustfile.py", users=users, spawn_rate=users,
                            seconds=STRESS_SECONDS, host=hosts[0], env=stress)
            p95, count, failures = _p95(stats, "Aggregated")
            steps.append((users, count / STRESS_SECONDS, p95, failures))
            if p95 >= CEILING_P95_MS:
                break
        runs[f"stress-{servers}"] = steps
    finally:
        for server, _host in started:
            server.terminate()
            server.wait(timeout=20)
    return runs


def _ensure_participations() -> None:
    """A district's programme lists: every fifth person in a person programme, every fourth
    household in a household programme (once; set-wise SQL)."""
    person_programme, _ = Programme.objects.get_or_create(
        code="BENCH-P", defaults={"name": "Bench person programme", "unit": Programme.Unit.PERSON})
    household_programme, _ = Programme.objects.get_or_create(
        code="BENCH-HH", defaults={"name": "Bench household programme", "unit": Programme.Unit.HOUSEHOLD})
    if Participation.objects.filter(programme__in=[person_programme, household_programme]).exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO clients_participation (created_at, updated_at, programme_id, person_id, starts_on, source,"
            " as_of) SELECT now(), now(), %s, id, '2025-01-01', 'bench', '2025-01-01' FROM clients_person"
            " WHERE id %% 5 = 0", [person_programme.pk])
        cursor.execute(
            "INSERT INTO clients_participation (created_at, updated_at, programme_id, household_id, starts_on,"
            " source, as_of) SELECT now(), now(), %s, id, '2025-01-01', 'bench', '2025-01-01'"
            " FROM clients_household WHERE id %% 4 = 0", [household_programme.pk])
        cursor.execute("VACUUM ANALYZE clients_participation")


def run(scale: float = 1.0) -> list[Line]:
    OUT.mkdir(exist_ok=True)
    _ensure_participations()
    paths = journey_paths()
    static_root = OUT / "static"
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(static_root),
        "AXES_FAILURE_LIMIT": "1000",
        # The stress run searches about once a second per officer; the per-user limit would
        # refuse it (the officer pace stays far below the default limit).
        "SEARCH_LIMIT_PER_MINUTE": "100000",
        "SEARCH_LIMIT_PER_HOUR": "1000000",
    }
    sessions = _sessions(env["SECRET_KEY"])
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    runs = {}
    for servers in (1, 2):
        runs.update(_runs(servers, env, paths, sessions, scale))
    health_p95, _, _ = _p95(runs["load-health-1"][0], "Aggregated")
    p95, count, failures = _p95(runs["load-1"][0], "Aggregated")
    lines = [target_line(f"front-desk pages p95 with {USERS} users at an officer's pace, 1–3 s between pages "
                         f"({count:,} requests)", p95, "ms", 50,
                         lower_is_better=True, baseline=health_p95, baseline_name="/health/ p95")]
    lines.append(Line(f"front-desk journey errors: {failures} of {count:,} requests (target 0) "
                      f"{'PASS' if failures == 0 else 'FAIL'}", failures == 0))
    with runs["load-1"][0].open() as handle:
        for row in csv.DictReader(handle):
            if row["Name"] != "Aggregated":
                lines.append(Line(f"  {row['Name']}: p95 {row['95%']} ms, median {row['Median Response Time']} ms, "
                                  f"{row['Request Count']} requests", True))
    p95_two, count_two, failures_two = _p95(runs["load-2"][0], "Aggregated")
    lines.append(Line(f"two app servers (the officers shared between them): officer-pace p95 {p95_two:.0f} ms "
                      f"({count_two:,} requests, {failures_two} errors); one server {p95:.0f} ms", failures_two == 0))
    for servers in (1, 2):
        steps = runs[f"stress-{servers}"]
        under = [step for step in steps if step[2] < CEILING_P95_MS]
        best = max(under, key=lambda step: step[1]) if under else None
        shown = "; ".join(f"{users} users {rate:.0f} pages/s p95 {p95:.0f} ms" for users, rate, p95, _f in steps)
        errors = sum(step[3] for step in steps)
        where = f"{servers} app server{'s' if servers > 1 else ''} of 4 workers"
        if best is None:
            text = f"stress ceiling, {where}: no step kept p95 under {CEILING_P95_MS} ms ({shown}), {errors} errors"
        else:
            text = (f"stress ceiling, {where}: {best[1]:.0f} pages/s at p95 {best[2]:.0f} ms < {CEILING_P95_MS} ms "
                    f"({best[0]} users, 0.1–0.3 s between pages); steps: {shown}; {errors} errors")
        lines.append(Line(text, errors == 0))
    return lines
