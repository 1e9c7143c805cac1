"""Migrations are history: each carries the SQL of its own time, and each app installs the
triggers on its own tables."""

import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, migrations
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = [app for app in apps.get_app_configs() if Path(app.path).parent == ROOT]
FILE_READS = {"open", "read_text", "read_bytes"}


def _migration_files():
    for app in PROJECT_APPS:
        yield from sorted((Path(app.path) / "migrations").glob("[0-9]*.py"))


def _file_reads(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id == "__file__":
            found.add(f"line {node.lineno}: __file__")
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in FILE_READS:
                found.add(f"line {node.lineno}: {name}()")
    return found


def test_the_check_finds_a_migration_that_reads_its_sql_from_a_file():
    source = 'SQL = (Path(__file__).parent / "sql" / "x.sql").read_text()\nOTHER = open("y.sql").read()\n'
    assert _file_reads(source) == {"line 1: read_text()", "line 1: __file__", "line 2: open()"}


def test_no_migration_reads_a_file():
    files = list(_migration_files())
    assert len(files) > 20, "the project's migrations were not found"
    readers = {
        str(path.relative_to(ROOT)): reads
        for path in files
        if (reads := _file_reads(path.read_text()))
    }
    assert readers == {}, (
        "a migration carries its SQL as text, it does not read a file that can change later"
    )


def _state_only(migration) -> bool:
    """Takes over models another app's migration renamed for it, and touches no table."""
    return all(
        isinstance(operation, migrations.SeparateDatabaseAndState) and not operation.database_operations
        for operation in migration.operations
    )


def test_the_project_app_has_no_migration_on_other_apps_tables():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert ("pandu", "0003_counters_after_truncate") not in loader.disk_migrations
    for (app, _name), migration in loader.disk_migrations.items():
        if app == "pandu" and not _state_only(migration):
            assert all(
                dependency[0] in {"pandu", "auth", "contenttypes", "__setting__"}
                for dependency in migration.dependencies
            ), migration


TRUNCATE_TRIGGERS = {
    "clients_household_recount_after_truncate": "pandu_recount_registry_after_truncate",
    "clients_person_recount_after_truncate": "pandu_recount_registry_after_truncate",
    "clients_person_pmks_categories_recount_after_truncate": "pandu_recount_registry_after_truncate",
    "referrals_referral_recount_after_truncate": "pandu_recount_referrals_after_truncate",
    "referrals_referral_open_due_recount_after_truncate": "pandu_recount_referral_open_due_after_truncate",
    # the counters added later: living members per PMKS category and household, cases per month
    "clients_person_pmks_households_recount_after_truncate": "pandu_recount_pmks_households_after_truncate",
    "clients_pmks_links_households_recount_after_truncate": "pandu_recount_pmks_households_after_truncate",
    "referrals_case_recount_after_truncate": "pandu_recount_cases_after_truncate",
    # the persons served: the referrals app counts tickets' days with cases' (it stands above desks)
    "desks_ticket_served_recount_after_truncate": "pandu_recount_served_after_truncate",
    "referrals_case_served_recount_after_truncate": "pandu_recount_served_after_truncate",
}


def _truncate_trigger_functions() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
            " WHERE t.tgname LIKE '%%_recount_after_truncate'"
        )
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_each_app_keeps_the_truncate_triggers_of_its_own_tables():
    assert _truncate_trigger_functions() == TRUNCATE_TRIGGERS


@pytest.mark.django_db
def test_a_database_that_applied_the_old_project_migration_gets_the_apps_triggers():
    """pandu 0003 (removed) installed one function for all four tables; the apps' migrations
    replace its triggers and drop it."""
    tables = [
        "clients_household",
        "clients_person",
        "clients_person_pmks_categories",
        "referrals_referral",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION pandu_recount_after_truncate() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RETURN NULL; END $$"
        )
        for table in tables:
            cursor.execute(
                f"DROP TRIGGER {table}_recount_after_truncate ON {table};"
                f" CREATE TRIGGER {table}_recount_after_truncate AFTER TRUNCATE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION pandu_recount_after_truncate()"
            )
        for module in (
            "clients.migrations.0016_counters_after_truncate",
            "referrals.migrations.0005_counters_after_truncate",
        ):
            cursor.execute(importlib.import_module(module).SQL)
        cursor.execute(
            "SELECT count(*) FROM pg_proc WHERE proname = 'pandu_recount_after_truncate'"
        )
        assert cursor.fetchone()[0] == 0
    assert _truncate_trigger_functions() == TRUNCATE_TRIGGERS
