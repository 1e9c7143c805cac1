"""What a big registry import does to a table so that loading it costs less, and undoes.

A big import (``fast.py`` decides when) locks the tables it loads for the rest of its
transaction, drops their secondary indexes, unique constraints and foreign keys, loads the
rows, then creates the indexes again with the definitions PostgreSQL had (``pg_get_indexdef``,
``pg_get_constraintdef``: nothing drifts from the models' ``Meta``) and adds the constraints
again: a unique one builds its index and checks every row, a foreign key checks every row in
one query. Building an index over all rows costs about a quarter of keeping it up to date row
by row, and one check of a foreign key costs far less than a deferred check per row at commit.
Everything is inside the import's transaction: a failure or a rollback leaves the tables as
they were.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

import psycopg
from django.db import transaction

logger = logging.getLogger(__name__)


def lock_tables(cursor, tables: list[str], *, timeout: str) -> bool:
    """ACCESS EXCLUSIVE locks on the tables until the transaction ends (no one reads or writes
    them meanwhile). False, holding nothing more, when they are not free within ``timeout``."""
    try:
        with transaction.atomic(), _setting(cursor, "lock_timeout", timeout):
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
        return True
    except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected) as error:
        logger.info("registry import: %s not free within %s (%s)", ", ".join(tables), timeout, error)
        return False


@contextmanager
def _setting(cursor, name: str, value: str):
    """A setting changed for the block only (the transaction's value before it comes back; ''
    for a custom one that had none). On an error the transaction is rolled back, and the
    setting with it."""
    cursor.execute("SELECT coalesce(current_setting(%s, true), '')", [name])
    before = cursor.fetchone()[0]
    cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    yield
    cursor.execute("SELECT set_config(%s, %s, true)", [name, before])


def secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes other than the primary key and those that
    back a constraint."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND i.indisvalid"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid"
        " AND k.conrelid = i.indrelid)"
        " ORDER BY c.relname",
        [table],
    )
    return cursor.fetchall()


def constraints(cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's unique constraints (unless another table's foreign key
    points at one) and its foreign keys, the unique ones first."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint k"
        " WHERE conrelid = %s::regclass AND (contype = 'f' OR contype = 'u' AND NOT EXISTS ("
        " SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid))"
        " ORDER BY contype DESC, conname",
        [table],
    )
    return cursor.fetchall()


def _check_pending_constraints(cursor) -> None:
    """A table with deferred checks still queued cannot be altered: run them now (the same
    checks commit would run), then defer again what is deferrable (Django's foreign keys are
    INITIALLY DEFERRED)."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def rebuilt(cursor, table: str):
    """Drop the table's secondary indexes, unique constraints and foreign keys for the block,
    then create them again as they were. The caller holds the table's ACCESS EXCLUSIVE lock."""
    dropped_indexes, dropped_constraints = secondary_indexes(cursor, table), constraints(cursor, table)
    if not dropped_indexes and not dropped_constraints:
        yield
        return
    _check_pending_constraints(cursor)
    if dropped_constraints:
        cursor.execute(
            f"ALTER TABLE {table} "
            + ", ".join(f'DROP CONSTRAINT "{name}"' for name, _ in dropped_constraints)
        )
    if dropped_indexes:
        cursor.execute("DROP INDEX " + ", ".join(f'"{name}"' for name, _ in dropped_indexes))
    yield
    started = time.perf_counter()
    with _setting(cursor, "maintenance_work_mem", "512MB"):
        for _name, definition in dropped_indexes:
            cursor.execute(definition)
        for name, definition in dropped_constraints:  # a unique one builds its index, a key checks all rows
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(f"ANALYZE {table}")  # the dropped expression indexes took their statistics along
    logger.info(
        "registry import: %s: %d indexes and %d constraints back in %.2f s",
        table, len(dropped_indexes), len(dropped_constraints), time.perf_counter() - started,
    )  # fmt: skip


@contextmanager
def triggers_off(cursor, table: str, triggers: list[str]):
    """The table's triggers off for the block, on again after it. The caller holds the table's
    ACCESS EXCLUSIVE lock, so no other session writes it meanwhile; a rollback turns them on
    again too."""
    cursor.execute(f"ALTER TABLE {table} " + ", ".join(f'DISABLE TRIGGER "{name}"' for name in triggers))
    yield
    cursor.execute(f"ALTER TABLE {table} " + ", ".join(f'ENABLE TRIGGER "{name}"' for name in triggers))


def name_keys_given(cursor):
    """For the statements of the block, the trigger person_name_key keeps the name_key values
    the statement gives (migration clients 0011_person_name_key_trigger): the import computed them itself."""
    return _setting(cursor, "pandu.name_keys_given", "on")
