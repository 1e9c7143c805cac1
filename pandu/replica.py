"""Reads from a streaming replica, when one is configured (docs/deploy.md, "Read replica").

The one rule: **a view decorated with ``@reads_from_replica`` reads from the replica; every
other read, and every write anywhere, goes to the primary.** The decorated views are the
reports: the head's dashboard and its drill-down lists, exports, the monthly report, the
agencies' API lists. A read goes to the primary instead when

- the user wrote something in the last ``REPLICA_READ_YOUR_WRITES_SECONDS`` (a successful
  POST, PUT, PATCH or DELETE leaves a signed cookie with its time: read-your-writes, across
  app servers, with no shared cache);
- the replica is unreachable, or behind the primary by more than ``REPLICA_MAX_LAG_SECONDS``
  (checked at most every ``REPLICA_CHECK_SECONDS`` per process; ``/health/`` reports it).

Without ``REPLICA_DATABASE_URL`` nothing here does anything: there is no "replica" database.
Each decorated response says where it read (``X-Pandu-Read-From: replica|primary``).
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
WROTE_COOKIE = "pandu_wrote"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_reading_reports = contextvars.ContextVar("pandu_reading_reports", default=False)
logger = logging.getLogger(__name__)


def configured() -> bool:
    return REPLICA in settings.DATABASES


@dataclass(frozen=True)
class ReplicaState:
    status: str  # "ok", "lagging", "unreachable", "not configured"
    lag_seconds: float | None = None
    checked_at: float = 0.0

    @property
    def usable(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict:
        return {"status": self.status, "lag_seconds": None if self.lag_seconds is None else round(self.lag_seconds, 3)}


_state_lock = threading.Lock()
_state = ReplicaState("not configured")

# The replica's lag behind the primary: nothing when it has replayed the primary's current WAL
# position, else the age of the last transaction it replayed.
_LAG_SQL = """
    SELECT CASE WHEN pg_last_wal_replay_lsn() >= %s::pg_lsn THEN 0
                ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END
"""


def check_replica() -> ReplicaState:
    """Ask the primary for its WAL position and the replica how far it has replayed."""
    if not configured():
        return ReplicaState("not configured", checked_at=time.monotonic())
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            primary_lsn = cursor.fetchone()[0]
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_LAG_SQL, [primary_lsn])
            lag = cursor.fetchone()[0]
    except DatabaseError as error:
        logger.warning("replica unreachable: %s", error)
        connections[REPLICA].close()
        return ReplicaState("unreachable", checked_at=time.monotonic())
    lag = float(lag or 0.0)
    status = "ok" if lag <= settings.REPLICA_MAX_LAG_SECONDS else "lagging"
    if status != "ok":
        logger.warning("replica %.1f s behind the primary: reading from the primary", lag)
    return ReplicaState(status, lag, checked_at=time.monotonic())


def replica_state(*, fresh: bool = False) -> ReplicaState:
    """The replica's state, checked again when the last check is older than REPLICA_CHECK_SECONDS."""
    global _state
    with _state_lock:
        if fresh or time.monotonic() - _state.checked_at >= settings.REPLICA_CHECK_SECONDS or (
            configured() and _state.status == "not configured"
        ):
            _state = check_replica()
        return _state


def wrote_recently(request) -> bool:
    value = request.COOKIES.get(WROTE_COOKIE)
    if not value:
        return False
    try:
        signing.loads(value, salt=WROTE_COOKIE, max_age=settings.REPLICA_READ_YOUR_WRITES_SECONDS)
    except signing.BadSignature:  # expired or forged: no claim to the primary
        return False
    return True


@contextmanager
def reading_reports():
    """Reads inside go to the replica (the router below), writes never do."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def read_from(request) -> str:
    """Where a report read for this request goes: "replica" or "primary"."""
    if not configured() or wrote_recently(request) or not replica_state().usable:
        return "primary"
    return "replica"


@contextmanager
def report_reads(request):
    """The reads of the block go to the replica when this request may read there; yields where."""
    source = read_from(request)
    if source == "replica":
        with reading_reports():
            yield source
    else:
        yield source


def mark(response, source: str):
    """Say on the response where its report was read (ops and the tests read it)."""
    if configured():
        response["X-Pandu-Read-From"] = source
    return response


def reads_from_replica(view):
    """Decorate a report view (innermost, below the login and role checks, so that the user and
    the session are read from the primary): its reads go to the replica when it may."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with report_reads(request) as source:
            response = view(request, *args, **kwargs)
        if source == "replica" and getattr(response, "streaming", False):  # an export written as sent
            response.streaming_content = _reading_reports_while(response.streaming_content)
        return mark(response, source)

    return wrapped


def _reading_reports_while(chunks):
    with reading_reports():
        yield from chunks


class ReplicaRouter:
    """Django's database router for the rule above (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model, **hints):
        if _reading_reports.get() and configured():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS  # never the replica, even for an object read from it

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class WriteMarkMiddleware:
    """Marks a browser that just wrote, so that its next report reads come from the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if configured() and request.method not in _SAFE_METHODS and response.status_code < 400:
            response.set_cookie(
                WROTE_COOKIE,
                signing.dumps(int(time.time()), salt=WROTE_COOKIE),
                max_age=settings.REPLICA_READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
